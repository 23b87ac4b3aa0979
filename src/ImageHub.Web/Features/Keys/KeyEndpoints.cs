using System.Text.Json;
using System.Text.Json.Serialization;
using ImageHub.Web.Features.Account;
using Microsoft.AspNetCore.Http.Metadata;
using ImageHub.Web.Features.Api;

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
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>GET/POST /api/v1/keys and DELETE /api/v1/keys/{id}, for members of the current workspace.</summary>
    public static IEndpointRouteBuilder MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        // The app's cookie or an API token (Authorization: Bearer), for a member of the current workspace.
        var keys = app.MapGroup("/api/v1/keys").RequireAuthorization(ApiPolicies.ApiUser).DisableAntiforgery()
            .WithTags("Keys");

        keys.MapGet("/", async (HttpContext http, KeyVault vault, CancellationToken ct) =>
            http.User.GetUserId() is not { } userId
                ? Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in first.")
                : Results.Ok((await vault.ListAsync(userId, ct)).Select(KeyResponse.From)))
            .WithSummary("Your personal keys and the workspace's keys, as masks.")
            .Produces<KeyResponse[]>();

        keys.MapPost("/", async (HttpContext http, KeyVault vault, CancellationToken ct) =>
        {
            if (http.User.GetUserId() is not { } userId) return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in first.");
            CreateKeyRequest? body;
            try
            {
                body = await http.Request.ReadFromJsonAsync<CreateKeyRequest>(Json, ct);
            }
            catch (JsonException ex)
            {
                var field = FieldOf(ex.Path);
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    [field] = [field == "body"
                        ? "The body is not valid JSON. Send {\"provider\", \"label\", \"secret\", \"scope\", \"expiresAt\"?}."
                        : field == "expiresAt"
                            ? "expiresAt is a date and time, e.g. \"2026-12-31T00:00:00Z\"."
                            : $"{field} has the wrong type; send a string."],
                });
            }
            catch (InvalidOperationException)
            {
                return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the key as JSON (Content-Type: application/json).");
            }
            if (body is null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send {\"provider\", \"label\", \"secret\", \"scope\", \"expiresAt\"?}."] });
            }
            var result = await vault.AddAsync(Actor(http, userId), new KeyDraft(body.Provider, body.Label, body.Secret, body.Scope, body.ExpiresAt), ct);
            return result.Succeeded
                ? Results.Created($"/api/v1/keys/{result.Key!.Id}", KeyResponse.From(result.Key))
                : Failure(result);
        })
            .WithSummary("Adds a key: {provider, label, secret, scope: \"personal\" | \"workspace\", expiresAt?}. The secret is encrypted and never returned.")
            .Accepts<CreateKeyRequest>("application/json")
            .Produces<KeyResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        keys.MapDelete("/{id}", async (string id, HttpContext http, KeyVault vault, CancellationToken ct) =>
        {
            if (http.User.GetUserId() is not { } userId) return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in first.");
            if (!Guid.TryParse(id, out var keyId)) return Failure(KeyVaultResult.NotFound());
            var result = await vault.DeleteAsync(Actor(http, userId), keyId, ct);
            return result.Succeeded ? Results.NoContent() : Failure(result);
        })
            .WithSummary("Deletes a key you manage (its audit history stays).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static KeyActor Actor(HttpContext http, Guid userId) => new(userId, http.Connection.RemoteIpAddress?.ToString());

    private static IResult Failure(KeyVaultResult result) => result.Outcome switch
    {
        KeyOutcome.Invalid => Results.ValidationProblem(result.ErrorsOrEmpty),
        KeyOutcome.Forbidden => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: result.Message),
        _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Message),
    };

    /// <summary>"$.expiresAt" → "expiresAt"; anything else → "body".</summary>
    private static string FieldOf(string? path)
    {
        var name = path?.TrimStart('$', '.').Split('.', '[')[0];
        return name?.ToLowerInvariant() switch
        {
            "provider" => "provider",
            "label" => "label",
            "secret" => "secret",
            "scope" => "scope",
            "expiresat" => "expiresAt",
            _ => "body",
        };
    }
}

