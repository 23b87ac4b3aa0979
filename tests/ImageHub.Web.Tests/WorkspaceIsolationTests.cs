using System.Net;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests;

public sealed class WorkspaceIsolationTests
{
    /// <summary>Alice owns "Alpha Studio", Bob owns "Bravo Labs"; neither is in the other's workspace.</summary>
    private static async Task<(ImageHubApp App, BrowserClient Alice, BrowserClient Bob, Guid Alpha, Guid Bravo)> TwoTeamsAsync(DatabaseKind kind)
    {
        var app = ImageHubApp.Create(kind);
        var alice = app.CreateBrowser();
        var bob = app.CreateBrowser();
        await alice.RegisterAsync("alice@example.com", Password);
        await app.InScopeAsync(sp => sp.GetRequiredService<AccountService>().SetRegistrationModeAsync(RegistrationMode.Open));
        await bob.RegisterAsync("bob@example.com", Password);
        var alpha = await app.CreateWorkspaceAsync("alice@example.com", "Alpha Studio");
        var bravo = await app.CreateWorkspaceAsync("bob@example.com", "Bravo Labs");
        return (app, alice, bob, alpha, bravo);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_member_of_one_workspace_gets_not_found_for_another_workspaces_members_and_settings(DatabaseKind kind)
    {
        var (app, alice, bob, alpha, bravo) = await TwoTeamsAsync(kind);
        await using var _ = app;
        using var __ = alice;
        using var ___ = bob;

        var own = await alice.GetAsync($"/workspaces/{alpha}");
        var othersMembers = await alice.GetAsync($"/workspaces/{bravo}");
        var othersSettings = await alice.GetAsync($"/workspaces/{bravo}/settings");
        var afterwards = await alice.GetAsync("/workspace");

        Assert.Equal(HttpStatusCode.OK, own.Status);
        Assert.Contains("Alpha Studio", own.Text);
        Assert.Contains("alice@example.com", own.Text);
        Assert.DoesNotContain("bob@example.com", own.Text);
        foreach (var page in new[] { othersMembers, othersSettings })
        {
            Assert.Equal(HttpStatusCode.NotFound, page.Status);
            Assert.Contains("There is nothing here, or it belongs to a workspace you are not a member of", page.Text);
            Assert.DoesNotContain("Bravo Labs", page.Text);
            Assert.DoesNotContain("bob@example.com", page.Text);
        }
        Assert.DoesNotContain("Bravo Labs", afterwards.Text);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Queries_in_one_workspace_never_return_another_workspaces_rows(DatabaseKind kind)
    {
        var (app, alice, bob, alpha, bravo) = await TwoTeamsAsync(kind);
        await using var _ = app;
        using var __ = alice;
        using var ___ = bob;
        await app.CreateInviteAsync("bob@example.com", bravo);

        List<Guid> memberWorkspaces = [], workspaceIds = [], inviteWorkspaces = [];
        MemberView? bobByIdFromAlpha = null;
        await app.InWorkspaceAsync("alice@example.com", alpha, async sp =>
        {
            var db = sp.GetRequiredService<AppDbContext>();
            memberWorkspaces = await db.WorkspaceMembers.Select(m => m.WorkspaceId).ToListAsync();
            workspaceIds = await db.Workspaces.Select(w => w.Id).ToListAsync();
            inviteWorkspaces = await db.WorkspaceInvites.Select(i => i.WorkspaceId).ToListAsync();
            var bobsMembership = await db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).SingleAsync(m => m.WorkspaceId == bravo);
            bobByIdFromAlpha = (await sp.GetRequiredService<WorkspaceService>().ListMembersAsync()).SingleOrDefault(m => m.MemberId == bobsMembership.Id);
        });

        Assert.Equal([alpha], memberWorkspaces);
        Assert.Equal([alpha], workspaceIds);
        Assert.Empty(inviteWorkspaces);
        Assert.Null(bobByIdFromAlpha);
    }

    [Fact]
    public async Task Admin_operations_cannot_reach_a_member_of_another_workspace_by_id()
    {
        var (app, alice, bob, alpha, bravo) = await TwoTeamsAsync(DatabaseKind.Sqlite);
        await using var _ = app;
        using var __ = alice;
        using var ___ = bob;
        var bobsMemberId = await app.InScopeAsync(sp => sp.GetRequiredService<AppDbContext>().WorkspaceMembers
            .IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).Where(m => m.WorkspaceId == bravo).Select(m => m.Id).SingleAsync());

        Outcome? demote = null, remove = null;
        await app.InWorkspaceAsync("alice@example.com", alpha, async sp =>
        {
            var service = sp.GetRequiredService<WorkspaceService>();
            demote = await service.ChangeRoleAsync(bobsMemberId, WorkspaceRole.Member);
            remove = await service.RemoveMemberAsync(bobsMemberId);
        });
        var bobStillOwns = await app.InScopeAsync(sp => sp.GetRequiredService<AppDbContext>().WorkspaceMembers
            .IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).SingleAsync(m => m.Id == bobsMemberId));

        Assert.Equal("That person is not a member of this workspace.", demote!.Message);
        Assert.Equal("That person is not a member of this workspace.", remove!.Message);
        Assert.Equal(WorkspaceRole.Owner, bobStillOwns.Role);
    }

    [Fact]
    public async Task A_row_for_another_workspace_cannot_be_added_from_the_current_one()
    {
        var (app, alice, bob, alpha, bravo) = await TwoTeamsAsync(DatabaseKind.Sqlite);
        await using var _ = app;
        using var __ = alice;
        using var ___ = bob;

        InvalidOperationException? refused = null;
        await app.InWorkspaceAsync("alice@example.com", alpha, async sp =>
        {
            var db = sp.GetRequiredService<AppDbContext>();
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = bravo, UserId = await app.UserIdAsync("alice@example.com"), Role = WorkspaceRole.Owner });
            refused = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
        });
        var aliceInBravo = await app.InScopeAsync(async sp => await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(await app.UserIdAsync("alice@example.com"), bravo));

        Assert.Contains("another workspace", refused!.Message);
        Assert.Null(aliceInBravo);
    }

    [Fact]
    public async Task Switching_to_a_workspace_the_user_is_not_in_changes_nothing()
    {
        var (app, alice, bob, alpha, bravo) = await TwoTeamsAsync(DatabaseKind.Sqlite);
        await using var _ = app;
        using var __ = alice;
        using var ___ = bob;
        var aliceId = await app.UserIdAsync("alice@example.com");

        var switched = await app.InScopeAsync(sp => sp.GetRequiredService<WorkspaceDirectory>().SelectAsync(aliceId, bravo));
        var current = await app.InScopeAsync(sp => sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(aliceId, null));

        Assert.False(switched);
        Assert.Equal(alpha, current!.WorkspaceId);
    }
}
