using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Workspaces;

/// <summary>The app's policy names: pages use [Authorize(Policy = ...)], endpoints .RequireAuthorization(...).</summary>
public static class Policies
{
    /// <summary>Signed in and a member (any role) of the current workspace.</summary>
    public const string WorkspaceMember = nameof(WorkspaceMember);
    /// <summary>Signed in and Owner or Admin of the current workspace.</summary>
    public const string WorkspaceAdmin = nameof(WorkspaceAdmin);
    /// <summary>Signed in and Owner of the current workspace.</summary>
    public const string WorkspaceOwner = nameof(WorkspaceOwner);
    /// <summary>Signed in as the instance administrator.</summary>
    public const string InstanceAdmin = nameof(InstanceAdmin);

    public static AuthorizationBuilder AddImageHubPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(WorkspaceMember, p => p.RequireAuthenticatedUser().AddRequirements(new WorkspaceRoleRequirement(WorkspaceRole.Member)))
        .AddPolicy(WorkspaceAdmin, p => p.RequireAuthenticatedUser().AddRequirements(new WorkspaceRoleRequirement(WorkspaceRole.Admin)))
        .AddPolicy(WorkspaceOwner, p => p.RequireAuthenticatedUser().AddRequirements(new WorkspaceRoleRequirement(WorkspaceRole.Owner)))
        .AddPolicy(InstanceAdmin, p => p.RequireAuthenticatedUser().AddRequirements(new InstanceAdminRequirement()));
}

/// <summary>Requires at least <paramref name="MinimumRole"/> in <see cref="CurrentWorkspace"/>.</summary>
public sealed record WorkspaceRoleRequirement(WorkspaceRole MinimumRole) : IAuthorizationRequirement;

/// <summary>
/// Checks the role the membership table holds now (<see cref="WorkspaceAccess"/>): a page authorized again in an
/// old circuit sees a removal or a role change. On an HTTP request the reading is kept for that request's handler
/// (<see cref="WorkspaceAccess.RoleForRequestAsync"/>), which then need not read it again.
/// </summary>
internal sealed class WorkspaceRoleHandler(WorkspaceAccess access) : AuthorizationHandler<WorkspaceRoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, WorkspaceRoleRequirement requirement)
    {
        var role = context.Resource is HttpContext http ? await access.RefreshForRequestAsync(http) : await access.RefreshAsync();
        if (role is { } held && held >= requirement.MinimumRole)
        {
            context.Succeed(requirement);
        }
    }
}

/// <summary>The signed-in user administers the instance, as the database says now (not as their cookie said at sign-in).</summary>
public sealed record InstanceAdminRequirement : IAuthorizationRequirement;

/// <summary>
/// Reads <see cref="AppUser.IsInstanceAdmin"/> (and that the account is enabled) at each check: a demoted administrator's
/// open admin page is authorized again (<see cref="AccountSessions.RoleChangedAsync"/>) and gives way at once.
/// </summary>
internal sealed class InstanceAdminHandler(IDbContextFactory<AppDbContext> dbFactory) : AuthorizationHandler<InstanceAdminRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, InstanceAdminRequirement requirement)
    {
        if (context.User.GetUserId() is not { } userId) return;
        await using var db = await dbFactory.CreateDbContextAsync();
        if (await db.Users.AnyAsync(u => u.Id == userId && u.IsInstanceAdmin && u.DisabledAt == null))
        {
            context.Succeed(requirement);
        }
    }
}
