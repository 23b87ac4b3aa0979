using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Workspaces;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests;

public sealed class WorkspaceTests
{
    [Theory]
    [InlineData("", "Give the workspace a name.")]
    [InlineData("   ", "Give the workspace a name.")]
    [InlineData("An extremely long workspace name that goes on and on well past the eighty character limit", "A workspace name has at most 80 characters.")]
    public async Task A_workspace_name_that_is_empty_or_too_long_is_refused_with_the_reason(string name, string message)
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();
        await browser.RegisterAsync("namer@example.com", Password);
        var userId = await app.UserIdAsync("namer@example.com");

        var (result, id) = await app.InScopeAsync(sp => sp.GetRequiredService<WorkspaceService>().CreateAsync(userId, name));
        var memberships = await app.InScopeAsync(sp => sp.GetRequiredService<WorkspaceDirectory>().ListForUserAsync(userId));

        Assert.False(result.Succeeded);
        Assert.Equal(message, result.Message);
        Assert.Equal(Guid.Empty, id);
        Assert.Empty(memberships);
    }

    [Fact]
    public async Task A_member_cannot_invite_change_roles_or_remove_people()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var owner = app.CreateBrowser();
        await owner.RegisterAsync("boss@example.com", Password);
        var workspace = await app.CreateWorkspaceAsync("boss@example.com", "Crew");
        var token = await app.CreateInviteAsync("boss@example.com", workspace);
        using var member = app.CreateBrowser();
        await member.RegisterAsync("crew@example.com", Password, token);

        Outcome? invite = null, promote = null, remove = null;
        await app.InWorkspaceAsync("crew@example.com", workspace, async sp =>
        {
            var service = sp.GetRequiredService<WorkspaceService>();
            var members = await service.ListMembersAsync();
            var boss = members.Single(m => m.Email == "boss@example.com");
            var me = members.Single(m => m.Email == "crew@example.com");
            (invite, _) = await service.CreateInviteAsync(me.UserId, WorkspaceRole.Member);
            promote = await service.ChangeRoleAsync(me.MemberId, WorkspaceRole.Admin);
            remove = await service.RemoveMemberAsync(boss.MemberId);
        });

        foreach (var result in new[] { invite, promote, remove })
        {
            Assert.Equal("Only the workspace's Owners and Admins can do that.", result!.Message);
        }
    }
}
