using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.EndToEnd.Compose;

/// <summary>Runs that do not end well, against an app whose Kolbo takes 3 s a step (so a run can be canceled).</summary>
public sealed class ComposeFailureTests(SlowKolboFixture app) : IClassFixture<SlowKolboFixture>
{
    [Fact]
    public async Task An_exhausted_balance_fails_the_card_with_the_providers_reason_and_charges_nothing()
    {
        const string brokeSecret = "kolbo_live_e2e_broke_0000";
        var page = await app.OpenAsync();
        var errors = Browser.CollectErrors(page);
        var email = app.NewEmail("broke");
        await app.SignUpWithWorkspaceAsync(page, email);
        await AddPersonalKeyAsync(email, "kolbo", "Empty Kolbo", brokeSecret);
        app.Sandbox.Server.State.SetBalance("kolbo", brokeSecret, 0);
        var compose = new ComposePage(page);

        await compose.OpenAsync();
        await compose.ToggleAsync("koala"); // off
        await compose.ToggleAsync("kolbo");
        await compose.WriteAsync("A golden retriever surfing");
        await compose.RunAsync();
        var failed = compose.Card("kolbo", "Failed");
        await failed.WaitForAsync();
        var message = await failed.Locator("[data-testid=error]").InnerTextAsync();
        var credits = await failed.Locator("[data-testid=credits]").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "compose-insufficient-credits");

        Assert.Contains("credit", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("{", message); // words, not a JSON dump
        Assert.Equal("nothing charged", credits);
        var account = app.Sandbox.Server.State.Account("kolbo", brokeSecret);
        Assert.Equal(0, account.CreditsCharged - account.CreditsRefunded);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Canceling_a_running_Kolbo_card_sends_one_cancel_and_the_hub_polls_that_task_no_more()
    {
        var page = await app.OpenAsync();
        var errors = Browser.CollectErrors(page);
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail("stop"));
        var compose = new ComposePage(page);
        var before = app.Sandbox.Server.State.Requests.Count;

        await compose.OpenAsync();
        await compose.ToggleAsync("koala"); // off
        await compose.ToggleAsync("kolbo");
        await compose.WriteAsync("A slow sunrise");
        await compose.RunAsync();
        await compose.Card("kolbo", "Running").Locator("[data-testid=cancel]").ClickAsync();
        await compose.Card("kolbo", "Canceled").WaitForAsync();
        var status = await compose.Card("kolbo", "Canceled").Locator("[data-testid=status]").InnerTextAsync();
        // A later run on another card: the hub keeps polling Kolbo meanwhile, only not the canceled task.
        await compose.WriteAsync("A second sunrise");
        await compose.RunAsync();
        await compose.Card("kolbo", "Succeeded").WaitForAsync();
        var kolbo = app.Sandbox.Server.State.Requests.Skip(before).Where(r => r.Provider == "kolbo").ToList();

        Assert.Equal("Canceled", status.Trim());
        var cancel = Assert.Single(kolbo, r => r.Method == "POST" && r.PathAndQuery.EndsWith("/cancel", StringComparison.Ordinal));
        var canceledTask = cancel.PathAndQuery.Split('/')[^2];
        var afterCancel = kolbo.Skip(kolbo.IndexOf(cancel) + 1).ToList();
        Assert.DoesNotContain(afterCancel, r => r.PathAndQuery.Contains(canceledTask, StringComparison.Ordinal));
        Assert.Contains(afterCancel, r => r.Method == "GET" && r.PathAndQuery.EndsWith("/status", StringComparison.Ordinal));
        Assert.Empty(errors);
    }

    /// <summary>A personal key, added through the vault as the Keys page would (the member's own key pays before the sandbox's).</summary>
    private Task AddPersonalKeyAsync(string email, string provider, string label, string secret) =>
        app.App.InScopeAsync(async sp =>
        {
            var user = await app.App.UserIdAsync(email);
            var membership = (await sp.GetRequiredService<WorkspaceDirectory>().ListForUserAsync(user)).Single();
            sp.GetRequiredService<CurrentWorkspace>().Set(membership.WorkspaceId, membership.Role);
            var result = await sp.GetRequiredService<KeyVault>().AddAsync(new AuditActor(user, "203.0.113.7"), new KeyDraft(provider, label, secret, "personal", null));
            Assert.True(result.Succeeded, result.Message);
        });
}
