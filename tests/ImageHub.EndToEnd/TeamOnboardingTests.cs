using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;

namespace ImageHub.EndToEnd;

/// <summary>What two people do, click by click, in Debian's Chromium against the real app on loopback.</summary>
public sealed class TeamOnboardingTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task A_newcomer_builds_a_workspace_invites_a_colleague_who_joins_as_a_member_and_cannot_open_admin_pages()
    {
        // The newcomer registers, creates a workspace and an invite link.
        var owner = await app.OpenAsync();
        var ownerErrors = Browser.CollectErrors(owner);
        var ownerEmail = app.NewEmail("olivia");
        var workspaceUrl = await app.SignUpWithWorkspaceAsync(owner, ownerEmail, "Studio North");
        await new WorkspacePage(owner).OpenSettingsAsync();
        var inviteLink = await new WorkspaceSettingsPage(owner).CreateInviteAsync();
        await Browser.ScreenshotAsync(owner, "owner-workspace-settings");

        // A second person registers through the link.
        var colleague = await app.OpenAsync();
        var colleagueErrors = Browser.CollectErrors(colleague);
        var invite = new InvitePage(colleague);
        await invite.OpenAsync(inviteLink);
        var invitation = await invite.Heading.InnerTextAsync();
        await invite.ChooseRegisterAsync();
        var colleagueEmail = app.NewEmail("marco");
        await new RegisterPage(colleague).RegisterAsync(colleagueEmail);
        var landedOn = colleague.Url;
        var workspace = new WorkspacePage(colleague);
        var role = await workspace.Role.InnerTextAsync();
        var members = await workspace.Members.InnerTextAsync();
        var drawer = await new Shell(colleague).NavItems.AllInnerTextsAsync();
        await Browser.ScreenshotAsync(colleague, "member-lands-in-workspace");

        // The member cannot open the admin pages (those answers are 403s, which the console reports: not counted as errors).
        var colleagueErrorsBeforeDenials = colleagueErrors.ToList();
        await colleague.GotoAsync($"{workspaceUrl}/settings");
        var settingsDenied = await new AccessDeniedView(colleague).Message.InnerTextAsync();
        await colleague.GotoAsync("/admin");
        var adminDenied = await new AccessDeniedView(colleague).Message.InnerTextAsync();
        await Browser.ScreenshotAsync(colleague, "member-access-denied");

        Assert.Equal("Join Studio North", invitation);
        Assert.Equal(workspaceUrl, landedOn);
        Assert.Equal("Your role: Member", role);
        Assert.Contains(ownerEmail, members);
        Assert.Contains(colleagueEmail, members);
        Assert.DoesNotContain("Admin", drawer.Select(d => d.Trim()));
        Assert.Contains("You do not have permission to open this page", settingsDenied);
        Assert.Contains("You do not have permission to open this page", adminDenied);
        Assert.Empty(ownerErrors);
        Assert.Empty(colleagueErrorsBeforeDenials);
    }
}
