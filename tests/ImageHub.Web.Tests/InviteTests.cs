using System.Net;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Workspaces;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests;

public sealed class InviteTests
{
    private static async Task<(ImageHubApp App, BrowserClient Owner, Guid Workspace)> OwnerWithWorkspaceAsync(DatabaseKind kind = DatabaseKind.Sqlite)
    {
        var app = ImageHubApp.Create(kind);
        var owner = app.CreateBrowser();
        await owner.RegisterAsync("owner@example.com", Password);
        var workspace = await app.CreateWorkspaceAsync("owner@example.com", "Pixel Team");
        return (app, owner, workspace);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Registering_through_an_invite_link_lands_in_the_workspace_as_a_member(DatabaseKind kind)
    {
        var (app, owner, workspace) = await OwnerWithWorkspaceAsync(kind);
        await using var _ = app;
        using var __ = owner;
        var token = await app.CreateInviteAsync("owner@example.com", workspace);
        using var newcomer = app.CreateBrowser();

        var landing = await newcomer.GetAsync($"/invite/{token}");
        var joined = await newcomer.RegisterAsync("new@example.com", Password, token);
        var settings = await newcomer.GetAsync($"/workspaces/{workspace}/settings");

        Assert.Contains("Join Pixel Team", landing.Text);
        Assert.Equal($"/workspaces/{workspace}", joined.Path);
        Assert.Contains("Your role: Member", joined.Text);
        Assert.Contains("owner@example.com", joined.Text);
        Assert.Equal(HttpStatusCode.Forbidden, settings.Status);
        Assert.Contains("You do not have permission to open this page", settings.Text);
    }

    [Fact]
    public async Task An_invite_link_works_once()
    {
        var (app, owner, workspace) = await OwnerWithWorkspaceAsync();
        await using var _ = app;
        using var __ = owner;
        var token = await app.CreateInviteAsync("owner@example.com", workspace);
        using var first = app.CreateBrowser();
        using var second = app.CreateBrowser();
        await first.RegisterAsync("first@example.com", Password, token);

        var landing = await second.GetAsync($"/invite/{token}");
        var register = await second.GetAsync($"/Account/Register?invite={token}");

        Assert.Contains("This invite link has already been used. Ask a workspace admin for a new one.", landing.Text);
        Assert.Contains("This invite link has already been used.", register.Text);
        Assert.DoesNotContain("Create account", register.Text);
    }

    [Fact]
    public async Task An_expired_invite_link_says_it_expired()
    {
        var (app, owner, workspace) = await OwnerWithWorkspaceAsync();
        await using var _ = app;
        using var __ = owner;
        var token = await app.CreateInviteAsync("owner@example.com", workspace);
        using var late = app.CreateBrowser();

        app.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        var landing = await late.GetAsync($"/invite/{token}");
        var attempt = await late.GetAsync($"/Account/Register?invite={token}");

        Assert.Contains("This invite link has expired. Ask a workspace admin for a new one.", landing.Text);
        Assert.DoesNotContain("Create account", attempt.Text);
        Assert.Contains("This invite link has expired.", attempt.Text);
    }

    [Fact]
    public async Task A_revoked_invite_link_says_it_was_revoked()
    {
        var (app, owner, workspace) = await OwnerWithWorkspaceAsync();
        await using var _ = app;
        using var __ = owner;
        var token = await app.CreateInviteAsync("owner@example.com", workspace);
        await app.InWorkspaceAsync("owner@example.com", workspace, async sp =>
        {
            var service = sp.GetRequiredService<WorkspaceService>();
            var invite = (await service.ListInvitesAsync()).Single();
            Assert.True((await service.RevokeInviteAsync(invite.Id)).Succeeded);
        });
        using var visitor = app.CreateBrowser();

        var landing = await visitor.GetAsync($"/invite/{token}");

        Assert.Contains("This invite link was revoked by a workspace admin. Ask them for a new one.", landing.Text);
    }

    [Fact]
    public async Task A_made_up_invite_link_is_not_valid_and_not_an_error()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var visitor = app.CreateBrowser();

        var landing = await visitor.GetAsync("/invite/not-a-real-token");

        Assert.Equal(HttpStatusCode.OK, landing.Status);
        Assert.Contains(WorkspaceService.InvalidInviteMessage, landing.Text);
    }

    [Fact]
    public async Task A_signed_in_user_joins_a_second_workspace_by_invite_and_keeps_the_first()
    {
        var (app, owner, workspace) = await OwnerWithWorkspaceAsync();
        await using var _ = app;
        using var __ = owner;
        await app.InScopeAsync(sp => sp.GetRequiredService<Web.Features.Account.AccountService>().SetRegistrationModeAsync(Web.Features.Account.RegistrationMode.Open));
        using var other = app.CreateBrowser();
        await other.RegisterAsync("other@example.com", Password);
        var own = await app.CreateWorkspaceAsync("other@example.com", "Other Place");
        var token = await app.CreateInviteAsync("owner@example.com", workspace, WorkspaceRole.Admin);

        var joined = await other.SubmitFormAsync($"/invite/{token}", "accept-invite", new Dictionary<string, string>());
        var memberships = await app.InScopeAsync(async sp => await sp.GetRequiredService<WorkspaceDirectory>().ListForUserAsync(await app.UserIdAsync("other@example.com")));

        Assert.Equal($"/workspaces/{workspace}", joined.Path);
        Assert.Contains("Your role: Admin", joined.Text);
        Assert.Equal([(own, WorkspaceRole.Owner), (workspace, WorkspaceRole.Admin)], memberships.Select(m => (m.WorkspaceId, m.Role)));
    }

    [Fact]
    public async Task The_last_owner_cannot_be_demoted_or_removed()
    {
        var (app, owner, workspace) = await OwnerWithWorkspaceAsync();
        await using var _ = app;
        using var __ = owner;

        Outcome? demote = null, remove = null;
        await app.InWorkspaceAsync("owner@example.com", workspace, async sp =>
        {
            var service = sp.GetRequiredService<WorkspaceService>();
            var me = (await service.ListMembersAsync()).Single();
            demote = await service.ChangeRoleAsync(me.MemberId, WorkspaceRole.Admin);
            remove = await service.RemoveMemberAsync(me.MemberId);
        });

        Assert.Equal("A workspace needs at least one Owner. Make someone else an Owner first.", demote!.Message);
        Assert.Equal("The last Owner cannot be removed. Make someone else an Owner first.", remove!.Message);
    }
}
