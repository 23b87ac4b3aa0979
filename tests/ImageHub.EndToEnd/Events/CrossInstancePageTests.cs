using System.Net.Http.Headers;
using System.Net.Http.Json;
using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Events;
using ImageHub.Web.Infrastructure.Changes;
using ImageHub.Web.Features.Workspaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Events;

/// <summary>
/// Issue 12 part 1, in Chromium: two instances on one PostgreSQL database, A running the worker and B web-only
/// (Jobs:Enabled=false). A page open on B shows what happens on A.
/// </summary>
public sealed class CrossInstancePageTests
{
    private const string Password = "correct horse battery";
    private const string AdminEmail = "admin@example.com";
    private const string Token = "ihp_test_token_for_the_events_e2e_01";

    [Fact]
    public async Task A_gallery_open_on_a_web_only_instance_shows_the_image_the_other_instances_worker_made_and_drops_it_when_trashed_there()
    {
        await using var a = ImageHubApp.Create(DatabaseKind.Postgres, Settings(), environment: "Development");
        await using var b = await WebOnlyAsync(a);
        var baseUrl = b.StartOnLoopback();
        await b.Services.GetRequiredService<PostgresChangeTransport>().Listening.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await LogInAsync(browser, baseUrl, AdminEmail);
        var gallery = new GalleryPage(page);
        await gallery.OpenAsync();
        await Expect(gallery.Empty).ToBeVisibleAsync();

        using var api = a.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var submitted = await api.PostAsJsonAsync("/api/v1/generations", new { prompt = "a lighthouse at dawn", provider = "koala" }, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, submitted.StatusCode);

        await Expect(gallery.Tiles).ToHaveCountAsync(1);
        await Browser.ScreenshotAsync(page, "cross-instance-gallery");

        // Trashed through A's API: the gallery on B lets it go without a reload.
        var listed = await api.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/images", TestContext.Current.CancellationToken);
        var imageId = listed.GetProperty("items")[0].GetProperty("id").GetString();
        using var trashed = await api.DeleteAsync($"/api/v1/images/{imageId}", TestContext.Current.CancellationToken);
        Assert.True(trashed.IsSuccessStatusCode, $"DELETE /api/v1/images/{imageId}: {(int)trashed.StatusCode}");
        await Expect(gallery.Tiles).ToHaveCountAsync(0);
        await Expect(gallery.Empty).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_member_removed_on_one_instance_reads_that_they_are_no_longer_a_member_on_the_other()
    {
        await using var a = ImageHubApp.Create(DatabaseKind.Postgres, Settings(), environment: "Development");
        const string member = "max@example.com";
        var workspace = await a.InScopeAsync(async sp =>
        {
            var admin = await a.UserIdAsync(AdminEmail);
            var membership = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(admin, null);
            return membership!.WorkspaceId;
        });
        var invite = await a.CreateInviteAsync(AdminEmail, workspace);
        using (var client = a.CreateBrowser()) await client.RegisterAsync(member, Password, invite);
        await using var b = await WebOnlyAsync(a);
        var baseUrl = b.StartOnLoopback();
        await b.Services.GetRequiredService<PostgresChangeTransport>().Listening.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await LogInAsync(browser, baseUrl, member);
        await new GalleryPage(page).OpenAsync();

        await a.InWorkspaceAsync(AdminEmail, workspace, async sp =>
        {
            var service = sp.GetRequiredService<WorkspaceService>();
            var row = (await service.ListMembersAsync()).Single(m => m.Email == member);
            Assert.True((await service.RemoveMemberAsync(row.MemberId)).Succeeded);
        });

        await Expect(page.Locator("[data-testid=membership-lost]")).ToContainTextAsync("You are no longer a member of Studio");
        await Browser.ScreenshotAsync(page, "cross-instance-membership-lost");
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Sandbox:Enabled"] = "true",
        ["Sandbox:KoalaReadyDelay"] = "00:00:00",
        ["Sandbox:QolabaTaskStepDelay"] = "00:00:00",
        ["Sandbox:KolboStepDelay"] = "00:00:00",
        ["Bootstrap:AdminEmail"] = AdminEmail,
        ["Bootstrap:AdminPassword"] = Password,
        ["Bootstrap:Workspace"] = "Studio",
        ["Bootstrap:ApiToken"] = Token,
        ["Jobs:IdlePollInterval"] = "00:00:00.050",
    };

    /// <summary>Starts <paramref name="a"/> (with its worker), then a web-only second instance on its database; both listening.</summary>
    private static async Task<ImageHubApp> WebOnlyAsync(ImageHubApp a)
    {
        await a.Services.GetRequiredService<PostgresChangeTransport>().Listening.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var b = a.Restart(new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        return b;
    }

    private static async Task<IPage> LogInAsync(IBrowser browser, Uri baseUrl, string email)
    {
        var page = await Browser.OpenAsync(browser, baseUrl);
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(baseUrl.ToString());
        return page;
    }
}
