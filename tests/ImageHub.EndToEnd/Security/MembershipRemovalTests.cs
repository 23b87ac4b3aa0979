using ImageHub.EndToEnd.Infrastructure;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Security;

/// <summary>Issue 13, finding 2: a removal reaches the page the removed person has open, in Chromium.</summary>
public sealed class MembershipRemovalTests
{
    private const string Password = "Quartz lantern 47 meadow";

    [Fact]
    public async Task A_removed_admins_open_settings_page_says_they_are_no_longer_a_member_and_can_no_longer_create_an_invite()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (ownerId, adminId, workspace) = await TeamAsync(app);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        // The admin logs in and opens the workspace settings, where invites are made.
        var page = await Browser.OpenAsync(browser, baseUrl);
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#email", "ada@example.com");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(baseUrl.ToString());
        await page.GotoAsync($"/workspaces/{workspace}/settings");
        await Browser.WaitForCircuitAsync(page);
        await Expect(page.Locator("[data-testid=create-invite]")).ToBeVisibleAsync();

        // The owner removes them while that page stays open.
        await app.InScopeAsync(async sp =>
        {
            sp.GetRequiredService<CurrentWorkspace>().Set(workspace, WorkspaceRole.Owner, "Studio", ownerId);
            var service = sp.GetRequiredService<WorkspaceService>();
            var member = (await service.ListMembersAsync()).Single(m => m.UserId == adminId);
            Assert.True((await service.RemoveMemberAsync(member.MemberId)).Succeeded);
        });

        try
        {
            await Expect(page.Locator("[data-testid=membership-lost]")).ToContainTextAsync("You are no longer a member of Studio");
        }
        catch (PlaywrightException e)
        {
            await Browser.ScreenshotAsync(page, "membership-lost-missing");
            throw new InvalidOperationException($"The open page did not say the membership ended. Server errors:\n{app.Errors}", e);
        }
        await Browser.ScreenshotAsync(page, "membership-lost");
        var inviteButtons = await page.Locator("[data-testid=create-invite]").CountAsync();
        var openInvites = await app.InScopeAsync(async sp =>
        {
            sp.GetRequiredService<CurrentWorkspace>().Set(workspace, WorkspaceRole.Owner, "Studio", ownerId);
            return (await sp.GetRequiredService<WorkspaceService>().ListInvitesAsync()).Count(i => i.State == InviteState.Open);
        });

        Assert.Equal(0, inviteButtons);
        Assert.Equal(0, openInvites);
    }

    private static Task<(Guid OwnerId, Guid AdminId, Guid Workspace)> TeamAsync(ImageHubApp app) =>
        app.InScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<AppUser>>();
            var owner = new AppUser { UserName = "olivia@example.com", Email = "olivia@example.com" };
            var admin = new AppUser { UserName = "ada@example.com", Email = "ada@example.com" };
            Assert.True((await users.CreateAsync(owner, Password)).Succeeded);
            Assert.True((await users.CreateAsync(admin, Password)).Succeeded);
            var service = sp.GetRequiredService<WorkspaceService>();
            var (created, workspace) = await service.CreateAsync(owner.Id, "Studio");
            Assert.True(created.Succeeded);
            sp.GetRequiredService<CurrentWorkspace>().Set(workspace, WorkspaceRole.Owner, "Studio", owner.Id);
            var (_, invite) = await service.CreateInviteAsync(owner.Id, WorkspaceRole.Admin);
            var (accepted, _) = await service.AcceptInviteAsync(admin.Id, invite!.Path["/invite/".Length..]);
            Assert.True(accepted.Succeeded, accepted.Message);
            return (owner.Id, admin.Id, workspace);
        });
}
