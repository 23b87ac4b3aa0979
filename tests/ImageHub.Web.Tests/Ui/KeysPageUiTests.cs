using Bunit;
using ImageHub.Web.Features.Keys;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The Keys page and its dialogs, rendered with bUnit against the real app (real vault, real sandbox providers).</summary>
public sealed class KeysPageUiTests
{
    [Fact]
    public async Task A_member_sees_the_workspace_keys_masks_without_actions_and_never_another_members_personal_key()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.AddKeyAsync(UiTeam.Owner, "kolbo", "Studio Kolbo", "kolbo_live_studio_0000_ab12", KeyScope.Workspace);
        await team.AddKeyAsync(UiTeam.Owner, "coals", "Olivia private Coals", "coals_olivia_private_cd34");
        await team.AddKeyAsync(UiTeam.Member, "qolaba", "Marco Qolaba", "qolaba_marco_0000_ef56");
        await using var ui = await team.SignInAsync(UiTeam.Member);

        var page = ui.Open<KeysPage>();

        page.WaitFor(() => Assert.Contains("Studio Kolbo", page.Text));
        Assert.Contains("••••ab12", page.Text);
        Assert.Contains("Marco Qolaba", page.Text);
        Assert.DoesNotContain("Olivia private Coals", page.Text);
        Assert.DoesNotContain("••••cd34", page.Text);
        Assert.Single(page.AllByTestId("key-rotate")); // only on Marco's own key
        Assert.Empty(page.Find("[data-testid=workspace-keys]").QuerySelectorAll("[data-testid=key-delete]"));
        Assert.Contains("No workspace key for Koala yet. An Owner or Admin can add one.", page.Text);
        Assert.Empty(page.Find("[data-testid=workspace-keys]").QuerySelectorAll("[data-testid=add-koala]"));
        var switches = page.FindAll("[data-testid=member-access] input[role=switch]");
        Assert.Equal(4, switches.Count);
        Assert.All(switches, input => Assert.True(input.HasAttribute("disabled")));
        Assert.DoesNotContain("Audit log", page.Text);
    }

    [Fact]
    public async Task An_owner_sees_the_audit_link_and_can_change_member_access()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<KeysPage>();
        page.WaitFor(() => Assert.Contains("Audit log", page.Text));

        page.ByTestId("access-kolbo").Change(true);

        page.WaitFor(() => Assert.Contains("Members may now spend through the workspace's Kolbo keys.", page.Text));
        Assert.True((await team.AsAsync(UiTeam.Owner, sp => sp.GetRequiredService<KeyVault>().MemberAccessAsync()))["kolbo"]);
    }

    [Fact]
    public async Task Adding_a_key_from_the_empty_state_checks_it_and_says_so_in_one_snackbar()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var page = ui.Open<KeysPage>();
        page.WaitFor(() => Assert.Contains("No key for Kolbo yet.", page.Text));

        page.Find("[data-testid=my-keys] [data-testid=add-kolbo]").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("key-label-input")));
        page.Find("input[data-testid=key-label-input]").Change("My Kolbo");
        page.Find("input[data-testid=key-secret-input]").Change("kolbo_live_marco_0000_9f3c");
        page.ByTestId("key-save").Click();

        page.WaitFor(() => Assert.Contains("Valid", page.Find("[data-testid=my-keys] [data-testid=key-status]").TextContent));
        Assert.Empty(page.AllByTestId("key-label-input")); // the dialog closed
        Assert.Contains("••••9f3c", page.Text);
        var snackbar = Assert.Single(page.FindAll(".mud-snackbar"));
        Assert.Contains("Key \"My Kolbo\" added (••••9f3c). My Kolbo: Valid.", snackbar.TextContent);
        Assert.DoesNotContain("kolbo_live_marco_0000_9f3c", page.Markup);
    }

    [Fact]
    public async Task Saving_a_key_without_label_or_secret_shows_the_message_beside_each_field_and_saves_nothing()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<KeysPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("add-key")));

        page.ByTestId("add-key").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("key-save")));
        page.ByTestId("key-save").Click();

        page.WaitFor(() => Assert.Contains("Give the key a label", page.Text));
        Assert.Contains("Paste the API key from the provider's dashboard.", page.Text);
        Assert.Contains("Pick the provider this key belongs to.", page.Text);
        Assert.Empty(await team.AsAsync(UiTeam.Owner, async sp => await sp.GetRequiredService<KeyVault>().ListAsync(ui.UserId)));
    }

    [Fact]
    public async Task A_key_the_provider_refuses_is_marked_invalid_with_the_providers_reason()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<KeysPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("add-coals")));

        page.Find("[data-testid=my-keys] [data-testid=add-coals]").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("key-label-input")));
        page.Find("input[data-testid=key-label-input]").Change("Typo");
        page.Find("input[data-testid=key-secret-input]").Change("bad_coals_key_0000");
        page.ByTestId("key-save").Click();

        page.WaitFor(() => Assert.Equal("Invalid", page.ByTestId("key-status").TextContent.Trim()));
        Assert.NotEmpty(page.ByTestId("key-status-message").TextContent.Trim());
        Assert.Single(page.FindAll(".mud-snackbar"));
    }

    [Fact]
    public async Task A_koala_key_cannot_be_checked_and_its_check_button_is_disabled_with_the_reason()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.AddKeyAsync(UiTeam.Owner, "koala", "Koala main", "koala_key_0000_1a2b");
        await team.AddKeyAsync(UiTeam.Owner, "qolaba", "Qolaba main", "qolaba_key_0000_3c4d");
        await using var ui = await team.SignInAsync(UiTeam.Owner);

        var page = ui.Open<KeysPage>();

        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("key-check").Count));
        var koala = page.FindAll("[data-testid=key-check]").Single(b => b.GetAttribute("aria-label") == "Check Koala main");
        var qolaba = page.FindAll("[data-testid=key-check]").Single(b => b.GetAttribute("aria-label") == "Check Qolaba main");
        Assert.True(koala.HasAttribute("disabled"));
        Assert.Contains("Koala has no read-only endpoint", koala.GetAttribute("title"));
        Assert.False(qolaba.HasAttribute("disabled"));
    }

    [Fact]
    public async Task Deleting_a_key_asks_first_and_cancel_keeps_it()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.AddKeyAsync(UiTeam.Owner, "coals", "Old Coals", "coals_old_0000_77aa");
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<KeysPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("key-delete")));

        page.ByTestId("key-delete").Click();
        page.WaitFor(() => Assert.Contains("Delete \"Old Coals\" (••••77aa)?", page.Text));
        page.Button("Cancel").Click();
        page.WaitFor(() => Assert.DoesNotContain("Delete \"Old Coals\"", page.Text));
        Assert.Contains("Old Coals", page.Text);

        page.ByTestId("key-delete").Click();
        page.WaitFor(() => Assert.Contains("Delete \"Old Coals\" (••••77aa)?", page.Text));
        page.Button("Delete").Click();

        page.WaitFor(() => Assert.Contains("\"Old Coals\" deleted.", page.Text));
        Assert.Empty(page.AllByTestId("key-label"));
        Assert.Empty(await team.AsAsync(UiTeam.Owner, async sp => await sp.GetRequiredService<KeyVault>().ListAsync(ui.UserId)));
    }

    [Fact]
    public async Task Disabling_a_key_is_confirmed_and_rotating_replaces_the_mask()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.AddKeyAsync(UiTeam.Owner, "kolbo", "Main Kolbo", "kolbo_main_0000_1111");
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<KeysPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("key-toggle")));

        page.ByTestId("key-toggle").Click();
        page.WaitFor(() => Assert.Contains("Nothing will be paid with it until you enable it again.", page.Text));
        page.Button("Disable").Click();
        page.WaitFor(() => Assert.Equal("Disabled", page.ByTestId("key-status").TextContent.Trim()));

        page.ByTestId("key-rotate").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("rotate-secret-input")));
        page.ByTestId("rotate-save").Click();
        page.WaitFor(() => Assert.Contains("Paste the new API key.", page.Text));
        page.Find("input[data-testid=rotate-secret-input]").Change("kolbo_main_0000_2222");
        page.ByTestId("rotate-save").Click();

        page.WaitFor(() => Assert.Equal("••••2222", page.ByTestId("key-mask").TextContent.Trim()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task In_sandbox_mode_the_page_says_any_key_works_and_a_built_in_key_pays(bool sandbox)
    {
        await using var team = await UiTeam.CreateAsync(sandbox: sandbox);
        await using var ui = await team.SignInAsync(UiTeam.Member);

        var page = ui.Open<KeysPage>();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("my-keys")));
        Assert.Equal(sandbox, page.Text.Contains("Sandbox mode: providers are emulated, so any key works", StringComparison.Ordinal));
    }
}
