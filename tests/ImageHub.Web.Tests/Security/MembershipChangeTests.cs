using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Security;

/// <summary>
/// Issue 13, finding 2: a removal or a role change takes effect in a circuit that was opened before it. A circuit
/// is one DI scope held for as long as the page is open; here one scope plays that part.
/// </summary>
public sealed class MembershipChangeTests
{
    private const string Owner = "olivia@example.com";
    private const string Admin = "ada@example.com";

    [Fact]
    public async Task A_removed_admin_whose_open_page_still_holds_the_admin_role_can_no_longer_invite_or_manage_keys()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        var (workspace, adminId) = await TeamAsync(app);
        await using var openPage = app.Services.CreateAsyncScope(); // the admin's circuit, opened while still an admin
        var current = openPage.ServiceProvider.GetRequiredService<CurrentWorkspace>();
        current.Set(workspace, WorkspaceRole.Admin, "Studio", adminId);

        await RemoveAsync(app, workspace, Admin);
        var (invite, _) = await openPage.ServiceProvider.GetRequiredService<WorkspaceService>().CreateInviteAsync(adminId, WorkspaceRole.Member, TestContext.Current.CancellationToken);
        var access = await openPage.ServiceProvider.GetRequiredService<KeyVault>().SetMemberAccessAsync(new AuditActor(adminId), "kolbo", true, TestContext.Current.CancellationToken);

        Assert.False(invite.Succeeded);
        Assert.True(access.Is(FailureKind.Forbidden), access.Message);
        Assert.Equal("Studio", current.LostMembershipOf);
        Assert.False(current.IsSet);
        Assert.Empty(await app.InScopeAsync(sp => InvitesOfAsync(sp, app, workspace)));
    }

    [Fact]
    public async Task An_admin_made_member_while_their_page_is_open_can_no_longer_remove_anyone()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        var (workspace, adminId) = await TeamAsync(app);
        await using var openPage = app.Services.CreateAsyncScope();
        openPage.ServiceProvider.GetRequiredService<CurrentWorkspace>().Set(workspace, WorkspaceRole.Admin, "Studio", adminId);
        var service = openPage.ServiceProvider.GetRequiredService<WorkspaceService>();
        var ownerMember = (await service.ListMembersAsync(TestContext.Current.CancellationToken)).Single(m => m.Email == Owner);

        await app.InWorkspaceAsync(Owner, workspace, async sp =>
        {
            var admin = (await sp.GetRequiredService<WorkspaceService>().ListMembersAsync()).Single(m => m.Email == Admin);
            Assert.True((await sp.GetRequiredService<WorkspaceService>().ChangeRoleAsync(admin.MemberId, WorkspaceRole.Member)).Succeeded);
        });
        var removal = await service.RemoveMemberAsync(ownerMember.MemberId, TestContext.Current.CancellationToken);

        Assert.False(removal.Succeeded);
        Assert.Equal(WorkspaceRole.Member, openPage.ServiceProvider.GetRequiredService<CurrentWorkspace>().Role);
    }

    [Fact]
    public async Task Removing_a_member_notifies_that_members_open_circuits_and_no_one_else()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        var (workspace, adminId) = await TeamAsync(app);
        var ownerId = await app.UserIdAsync(Owner);
        var notifier = app.Services.GetRequiredService<MembershipNotifier>();
        var adminHeard = new List<MembershipChange>();
        var ownerHeard = new List<MembershipChange>();
        using var adminCircuit = notifier.Subscribe(adminId, c => { adminHeard.Add(c); return Task.CompletedTask; });
        using var ownerCircuit = notifier.Subscribe(ownerId, c => { ownerHeard.Add(c); return Task.CompletedTask; });

        await RemoveAsync(app, workspace, Admin);

        Assert.Equal([new MembershipChange(workspace, adminId)], adminHeard);
        Assert.Empty(ownerHeard);
    }

    private static async Task<(Guid Workspace, Guid AdminId)> TeamAsync(ImageHubApp app)
    {
        using var owner = app.CreateBrowser();
        await owner.RegisterAsync(Owner, Password);
        var workspace = await app.CreateWorkspaceAsync(Owner, "Studio");
        var invite = await app.CreateInviteAsync(Owner, workspace, WorkspaceRole.Admin);
        using var admin = app.CreateBrowser();
        await admin.RegisterAsync(Admin, Password, invite);
        return (workspace, await app.UserIdAsync(Admin));
    }

    private static Task RemoveAsync(ImageHubApp app, Guid workspace, string email) =>
        app.InWorkspaceAsync(Owner, workspace, async sp =>
        {
            var service = sp.GetRequiredService<WorkspaceService>();
            var member = (await service.ListMembersAsync()).Single(m => m.Email == email);
            Assert.True((await service.RemoveMemberAsync(member.MemberId)).Succeeded);
        });

    private static async Task<IReadOnlyList<InviteView>> InvitesOfAsync(IServiceProvider sp, ImageHubApp app, Guid workspace)
    {
        var ownerId = await app.UserIdAsync(Owner);
        sp.GetRequiredService<CurrentWorkspace>().Set(workspace, WorkspaceRole.Owner, "Studio", ownerId);
        return (await sp.GetRequiredService<WorkspaceService>().ListInvitesAsync()).Where(i => i.State == InviteState.Open).ToList();
    }
}
