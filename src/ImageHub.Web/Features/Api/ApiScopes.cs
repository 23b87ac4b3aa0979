using Microsoft.AspNetCore.Authorization;

namespace ImageHub.Web.Features.Api;

/// <summary>
/// What an API token may do. Each <c>/api/v1</c> endpoint (and each URL the API hands out) declares the one scope it
/// needs with <see cref="ApiScopeExtensions.RequireScope{TBuilder}"/>; a token without it gets a 403 problem naming
/// the scope. Scopes narrow a token, they never widen a role: an <see cref="Admin"/> token of a Member still gets 403
/// where the role is too low. The app's own cookie is not a token and is not scoped.
/// </summary>
[Flags]
public enum ApiScopes
{
    None = 0,
    /// <summary>Queue and cancel generations.</summary>
    Generate = 1,
    /// <summary>Read generations, images, providers and spend.</summary>
    Read = 2,
    /// <summary>List, add and delete provider keys.</summary>
    Keys = 4,
    /// <summary>Administer the workspace (where the token's owner is Owner or Admin).</summary>
    Admin = 8,
    All = Generate | Read | Keys | Admin,
}

public static class ApiScopeNames
{
    /// <summary>Each scope with its wire name and what it lets a token do, in the order pages list them.</summary>
    public static IReadOnlyList<(ApiScopes Scope, string Name, string Meaning)> Known { get; } =
    [
        (ApiScopes.Generate, "generate", "queue and cancel generations"),
        (ApiScopes.Read, "read", "see generations, images, providers and spend"),
        (ApiScopes.Keys, "keys", "list, add and delete provider keys"),
        (ApiScopes.Admin, "admin", "administer the workspace, where your role allows it"),
    ];

    /// <summary>Space-separated wire names ("generate read"), as stored and as OAuth writes scopes.</summary>
    public static string Format(ApiScopes scopes) =>
        string.Join(' ', Known.Where(k => scopes.HasFlag(k.Scope)).Select(k => k.Name));

    /// <summary>Reads <see cref="Format"/>'s output; unknown names are ignored (a stored token never gains a scope it was not given).</summary>
    public static ApiScopes Parse(string? names)
    {
        var scopes = ApiScopes.None;
        foreach (var name in (names ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            scopes |= Known.FirstOrDefault(k => k.Name == name).Scope;
        }
        return scopes;
    }

    public static string Name(ApiScopes scope) => Known.First(k => k.Scope == scope).Name;
}

/// <summary>Endpoint metadata: the scope a token needs here.</summary>
public sealed record ApiScopeMetadata(ApiScopes Scope);

public static class ApiScopeExtensions
{
    /// <summary>Declares the scope an API token needs for these endpoints. Every endpoint a token can reach declares one; an endpoint that does not refuses tokens.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScopes scope) where TBuilder : IEndpointConventionBuilder
    {
        if (scope is ApiScopes.None or ApiScopes.All || (scope & (scope - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(scope), scope, "Declare exactly one scope.");
        return builder.WithMetadata(new ApiScopeMetadata(scope));
    }
}

/// <summary>Part of the API policies: a token principal must carry the scope the endpoint declares.</summary>
public sealed record ApiScopeRequirement : IAuthorizationRequirement;

/// <summary>
/// Checks <see cref="ApiScopeRequirement"/>. Cookie sign-ins pass (they are the person, not a token). A token passes
/// only where the endpoint declares a scope it holds; the refusal's reason goes to the 403 problem
/// (<see cref="ApiTokenAuthentication"/> writes it).
/// </summary>
internal sealed class ApiScopeHandler : AuthorizationHandler<ApiScopeRequirement>
{
    public const string RefusalKey = "imagehub:scope-refusal";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiScopeRequirement requirement)
    {
        if (!ApiTokenAuthentication.IsTokenPrincipal(context.User))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        var http = context.Resource as HttpContext;
        var needed = http?.GetEndpoint()?.Metadata.GetMetadata<ApiScopeMetadata>()?.Scope;
        var held = ApiScopeNames.Parse(context.User.FindFirst(ApiTokenAuthentication.ScopesClaim)?.Value);
        if (needed is { } scope && held.HasFlag(scope))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        var reason = needed is { } missing
            ? $"This token lacks the \"{ApiScopeNames.Name(missing)}\" scope this endpoint needs (it has: {ApiScopeNames.Format(held)}). Make a token with it at /settings/tokens."
            : "This endpoint does not take API tokens.";
        if (http is not null) http.Items[RefusalKey] = reason;
        context.Fail(new AuthorizationFailureReason(this, reason));
        return Task.CompletedTask;
    }
}
