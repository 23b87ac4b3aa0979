using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace ImageHub.Web.Features.Api;

/// <summary>Authorization policies of the REST API (and of the image URLs, which the API hands out).</summary>
public static class ApiPolicies
{
    /// <summary>
    /// A member of the current workspace, signed in with the app's cookie OR an API token (<c>Authorization: Bearer</c>)
    /// holding the scope the endpoint declares (<see cref="ApiScopeExtensions.RequireScope{TBuilder}"/>).
    /// </summary>
    public const string ApiUser = nameof(ApiUser);

    /// <summary>Like <see cref="ApiUser"/>, but Owner or Admin of the workspace.</summary>
    public const string ApiAdmin = nameof(ApiAdmin);

    public static AuthorizationBuilder AddApiPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(ApiUser, p => p
            // Cookie first: its challenge only sets the status; the token scheme's challenge writes the problem body.
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, ApiTokenAuthentication.SchemeName)
            .RequireAuthenticatedUser()
            .AddRequirements(new WorkspaceRoleRequirement(WorkspaceRole.Member), new ApiScopeRequirement()))
        .AddPolicy(ApiAdmin, p => p
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, ApiTokenAuthentication.SchemeName)
            .RequireAuthenticatedUser()
            .AddRequirements(new WorkspaceRoleRequirement(WorkspaceRole.Admin), new ApiScopeRequirement()));
}
