using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Tests.Infrastructure;

/// <summary>Arrange steps that go through the app's own services (what the interactive pages call).</summary>
public static class Arrange
{
    public const string Password = "correct horse battery";

    public static Task<Guid> UserIdAsync(this ImageHubApp app, string email) =>
        app.InScopeAsync(async sp => (await sp.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email))!.Id);

    public static Task<Guid> CreateWorkspaceAsync(this ImageHubApp app, string ownerEmail, string name) =>
        app.InScopeAsync(async sp =>
        {
            var owner = await app.UserIdAsync(ownerEmail);
            var (result, id) = await sp.GetRequiredService<WorkspaceService>().CreateAsync(owner, name);
            Assert.True(result.Succeeded, result.Message);
            return id;
        });

    /// <summary>Creates an invite link as <paramref name="adminEmail"/> would on the settings page; returns its token.</summary>
    public static Task<string> CreateInviteAsync(this ImageHubApp app, string adminEmail, Guid workspaceId, WorkspaceRole role = WorkspaceRole.Member) =>
        app.InScopeAsync(async sp =>
        {
            var admin = await app.UserIdAsync(adminEmail);
            var membership = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(admin, workspaceId);
            sp.GetRequiredService<CurrentWorkspace>().Set(workspaceId, membership!.Role, userId: admin);
            var (result, invite) = await sp.GetRequiredService<WorkspaceService>().CreateInviteAsync(admin, role);
            Assert.True(result.Succeeded, result.Message);
            return invite!.Path["/invite/".Length..];
        });

    /// <summary>Runs <paramref name="action"/> as <paramref name="email"/> working in <paramref name="workspaceId"/>.</summary>
    public static Task InWorkspaceAsync(this ImageHubApp app, string email, Guid workspaceId, Func<IServiceProvider, Task> action) =>
        app.InScopeAsync(async sp =>
        {
            var user = await app.UserIdAsync(email);
            var membership = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(user, workspaceId);
            Assert.NotNull(membership);
            sp.GetRequiredService<CurrentWorkspace>().Set(workspaceId, membership.Role, userId: user);
            await action(sp);
        });
}
