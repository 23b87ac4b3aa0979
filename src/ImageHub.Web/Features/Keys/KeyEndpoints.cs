using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImageHub.Web.Features.Keys;

/// <summary>The vault's REST wire: what goes out is the mask, never the secret.</summary>
public sealed record KeyResponse(
    Guid Id, string Provider, string Label, string Mask, string Scope, string Status,
    string? StatusMessage, decimal? Balance, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset CreatedAt)
{
    public static KeyResponse From(KeyView key) => new(
        key.Id, key.ProviderId, key.Label, key.Mask, Lower(key.Scope), Lower(key.Status),
        key.StatusMessage, key.Balance, key.ExpiresAt, key.LastUsedAt, key.CreatedAt);

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>POST /api/v1/keys body.</summary>
public sealed record CreateKeyRequest(string? Provider, string? Label, string? Secret, string? Scope, DateTimeOffset? ExpiresAt);

public static class KeyEndpoints
{
    /// <summary>GET/POST /api/v1/keys and DELETE /api/v1/keys/{id}, for members of the current workspace.</summary>
    /// <remarks>Failures are the vault's <see cref="Failure"/>s as problems (<see cref="OutcomeHttp.ToProblem"/>); the body is read with the app's one JSON strictness.</remarks>
    public static IEndpointRouteBuilder MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        // The app's cookie or an API token (Authorization: Bearer), for a member of the current workspace.
        var keys = app.MapGroup("/api/v1/keys").RequireAuthorization(ApiPolicies.ApiUser).RequireScope(ApiScopes.Keys).DisableAntiforgery()
            .WithTags("Keys")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        keys.MapGet("/", ListAsync)
            .WithSummary("Your personal keys and the workspace's keys, as masks.");

        keys.MapPost("/", AddAsync)
            .WithSummary("Adds a key: {provider, label, secret, scope: \"personal\" | \"workspace\", expiresAt?}. The secret is encrypted and never returned.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        keys.MapDelete("/{id}", DeleteAsync)
            .WithSummary("Deletes a key you manage (its audit history stays).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<KeyResponse[]>, ProblemHttpResult>> ListAsync(HttpContext http, KeyVault vault, CancellationToken ct) =>
        http.User.GetUserId() is not { } userId
            ? SignInFirst()
            : TypedResults.Ok((await vault.ListAsync(userId, ct)).Select(KeyResponse.From).ToArray());

    private static async Task<Results<Created<KeyResponse>, ProblemHttpResult>> AddAsync(CreateKeyRequest body, HttpContext http, KeyVault vault, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } userId) return SignInFirst();
        var result = await vault.AddAsync(Actor(http, userId), new KeyDraft(body.Provider, body.Label, body.Secret, body.Scope, body.ExpiresAt), ct);
        if (result.Failure is { } failure) return failure.ToProblem();
        return TypedResults.Created($"/api/v1/keys/{result.Value!.Id}", KeyResponse.From(result.Value));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, HttpContext http, KeyVault vault, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } userId) return SignInFirst();
        if (!Guid.TryParse(id, out var keyId)) return Failure.NotFound("There is no such key in this workspace.").ToProblem();
        var result = await vault.DeleteAsync(Actor(http, userId), keyId, ct);
        return result.Failure is { } failure ? failure.ToProblem() : TypedResults.NoContent();
    }

    private static ProblemHttpResult SignInFirst() => Failure.Unauthorized("Sign in first.").ToProblem();

    private static AuditActor Actor(HttpContext http, Guid userId) => AuditActor.From(http, userId);
}
