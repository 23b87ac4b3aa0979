using Microsoft.AspNetCore.Authorization;

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
        .AddPolicy(InstanceAdmin, p => p.RequireAuthenticatedUser().AddRequirements(new Admin.InstanceAdminRequirement()));
}

/// <summary>Requires at least <paramref name="MinimumRole"/> in <see cref="CurrentWorkspace"/>.</summary>
public sealed record WorkspaceRoleRequirement(WorkspaceRole MinimumRole) : IAuthorizationRequirement;

/// <summary>
/// Checks the role the membership table holds now (<see cref="WorkspaceAccess"/>): a page authorized again in an
/// old circuit sees a removal or a role change.
/// </summary>
internal sealed class WorkspaceRoleHandler(WorkspaceAccess access) : AuthorizationHandler<WorkspaceRoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, WorkspaceRoleRequirement requirement)
    {
        if (await access.HasRoleAsync(requirement.MinimumRole))
        {
            context.Succeed(requirement);
        }
    }
}
