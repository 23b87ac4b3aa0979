using Bunit;
using ImageHub.Web.Features.Api;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The API tokens page, rendered with bUnit against the real app (real token store and hashing).</summary>
public sealed class TokensPageUiTests
{
    [Fact]
    public async Task A_new_token_is_shown_once_and_a_later_visit_lists_it_by_prefix_without_its_secret()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var page = ui.Open<TokensPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("no-tokens")));

        page.Find("input[data-testid=token-name]").Change("nightly renders");
        page.ByTestId("create-token").Click();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("new-token")));
        var secret = page.Find("input[data-testid=new-token]").GetAttribute("value")!;
        Assert.StartsWith(ApiTokenService.TokenPrefix, secret);
        Assert.Contains("nightly renders", page.ByTestId("tokens").TextContent);
        Assert.Contains("Token \"nightly renders\" made.", Assert.Single(page.FindAll(".mud-snackbar")).TextContent);
        Assert.Empty(page.AllByTestId("no-tokens"));
        var stored = Assert.Single(await ui.Get<ApiTokenService>().ListAsync(ui.UserId, Xunit.TestContext.Current.CancellationToken));
        Assert.StartsWith(stored.Prefix, secret);
        Assert.NotEqual(secret, stored.Prefix);

        await using var reload = await team.SignInAsync(UiTeam.Member); // a new visit: a new circuit
        var again = reload.Open<TokensPage>();
        again.WaitFor(() => Assert.Contains("nightly renders", again.ByTestId("tokens").TextContent));
        Assert.Empty(again.AllByTestId("new-token"));
        Assert.DoesNotContain(secret, again.Markup);
    }

    [Fact]
    public async Task A_token_without_a_name_is_refused_with_a_message_in_the_form()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var page = ui.Open<TokensPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("no-tokens")));

        page.ByTestId("create-token").Click();

        page.WaitFor(() => Assert.Contains("Give the token a name", page.Text));
        Assert.Empty(page.AllByTestId("new-token"));
        Assert.Empty(await ui.Get<ApiTokenService>().ListAsync(ui.UserId, Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Revoking_asks_first_and_only_revokes_after_the_confirmation()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var tokens = ui.Get<ApiTokenService>();
        Assert.True((await tokens.CreateAsync(ui.UserId, tokens.Draft("ci pipeline"), Xunit.TestContext.Current.CancellationToken)).Succeeded);
        var page = ui.Open<TokensPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("token-revoke")));

        page.ByTestId("token-revoke").Click();
        page.WaitFor(() => Assert.Contains("Revoke \"ci pipeline\"?", page.Text));
        DialogButton(page, "Cancel").Click();
        page.WaitFor(() => Assert.DoesNotContain("Revoke \"ci pipeline\"?", page.Text));
        Assert.False(Assert.Single(await tokens.ListAsync(ui.UserId, Xunit.TestContext.Current.CancellationToken)).IsRevoked);

        page.ByTestId("token-revoke").Click();
        page.WaitFor(() => Assert.Contains("Revoke \"ci pipeline\"?", page.Text));
        DialogButton(page, "Revoke").Click();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("token-revoked")));
        Assert.Empty(page.AllByTestId("token-revoke"));
        Assert.Contains("\"ci pipeline\" revoked.", Assert.Single(page.FindAll(".mud-snackbar")).TextContent);
        Assert.True(Assert.Single(await tokens.ListAsync(ui.UserId, Xunit.TestContext.Current.CancellationToken)).IsRevoked);
    }

    [Fact]
    public async Task A_token_for_keys_without_expiry_warns_first_then_lists_its_scopes_and_never_expiring()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var page = ui.Open<TokensPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("no-tokens")));
        Assert.Contains("90 days", page.ByTestId("token-expiry").TextContent);
        Assert.Empty(page.AllByTestId("no-expiry-warning"));

        page.Find("input[data-testid=token-name]").Change("key rotation job");
        page.Find("input[data-testid=scope-generate]").Change(false);
        page.Find("input[data-testid=scope-read]").Change(false);
        page.Find("input[data-testid=scope-keys]").Change(true);
        page.Find("[data-testid=token-expiry]").MouseDown();
        page.WaitFor(() => Assert.NotEmpty(page.FindAll(".mud-popover-open .mud-list-item")));
        page.FindAll(".mud-popover-open .mud-list-item").Single(i => i.TextContent.Trim() == "No expiry").Click();
        page.WaitFor(() => Assert.Contains("works until you revoke it", page.ByTestId("no-expiry-warning").TextContent));
        page.ByTestId("create-token").Click();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("new-token")));
        var stored = Assert.Single(await ui.Get<ApiTokenService>().ListAsync(ui.UserId, Xunit.TestContext.Current.CancellationToken));
        Assert.Equal(ApiScopes.Keys, stored.Scopes);
        Assert.Null(stored.ExpiresAt);
        Assert.Equal("keys", page.ByTestId("token-scopes-cell").TextContent.Trim());
        Assert.Contains("never", page.ByTestId("token-expires").TextContent);
    }

    [Fact]
    public async Task Unticking_every_scope_is_refused_beside_the_scopes_and_nothing_is_made()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var page = ui.Open<TokensPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("no-tokens")));

        page.Find("input[data-testid=token-name]").Change("does nothing");
        page.Find("input[data-testid=scope-generate]").Change(false);
        page.Find("input[data-testid=scope-read]").Change(false);
        page.ByTestId("create-token").Click();

        page.WaitFor(() => Assert.Contains("Pick at least one scope", page.ByTestId("scopes-error").TextContent));
        Assert.Empty(page.AllByTestId("new-token"));
        Assert.Empty(await ui.Get<ApiTokenService>().ListAsync(ui.UserId, Xunit.TestContext.Current.CancellationToken));
    }

    private static AngleSharp.Dom.IElement DialogButton(PageView<TokensPage> page, string text) =>
        page.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == text);
}
