using System.Globalization;
using System.Text;
using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// The REST API v1 over the same services the pages use. Each handler returns TypedResults whose types declare its
/// outcomes in the OpenAPI document; every failure is a <see cref="Failure"/> mapped once to an RFC 7807 problem
/// (<see cref="OutcomeHttp.ToProblem"/>). Bodies are read with the app's one JSON strictness: an unknown field is a
/// 400 naming it (<see cref="OutcomeHttp.AddImageHubErrors"/>).
/// </summary>
public static class GenerationApi
{
    public static IEndpointRouteBuilder MapGenerationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(ApiPolicies.ApiUser).WithTags("ImageHub")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPost("/generations", CreateAsync).RequireScope(ApiScopes.Generate)
            .WithSummary("Queue a generation on one provider")
            .WithDescription("Body: {prompt, provider (koala|qolaba|coals|kolbo), model?, numImages?, options?}. options holds the provider's own documented fields; unknown fields are validation errors.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/generations/{id:guid}", GetAsync).RequireScope(ApiScopes.Read)
            .WithSummary("One generation with its images and cost")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/generations", ListAsync).RequireScope(ApiScopes.Read)
            .WithSummary("Generations of the workspace, newest first (cursor paging)")
            .ProducesValidationProblem();
        api.MapPost("/generations/{id:guid}/cancel", CancelAsync).RequireScope(ApiScopes.Generate)
            .WithSummary("Cancel a queued generation, or a running one where the provider can cancel")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/providers", ProvidersAsync).RequireScope(ApiScopes.Read)
            .WithSummary("Each provider's capabilities: models, options and their allowed values, limits");
        return app;
    }

    private static async Task<Results<Accepted<GenerationAccepted>, ProblemHttpResult>> CreateAsync(
        CreateGenerationBody body, HttpContext http, GenerationService generations, Workspaces.WorkspaceAccess access, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } userId) return Failure.Unauthorized("Sign in first.").ToProblem();
        // The role this request's authorization read from the database (ApiUser's WorkspaceRoleRequirement): one read per request.
        var role = await access.RoleForRequestAsync(http, userId, ct);
        var outcome = await generations.SubmitAsync(userId, role,
            new GenerationDraft(body.Prompt ?? "", [new ProviderRun(body.Provider ?? "", body.Model, body.NumImages, body.Options)]), ct);
        if (outcome.Failure is { } failure) return failure.ToProblem();
        var id = outcome.Value!.GenerationIds[0];
        return TypedResults.Accepted($"/api/v1/generations/{id}", new GenerationAccepted(id, nameof(GenerationStatus.Queued)));
    }

    private static async Task<Results<Ok<ApiGeneration>, ProblemHttpResult>> GetAsync(Guid id, AppDbContext db, CancellationToken ct)
    {
        var generation = await db.Set<Generation>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, ct);
        if (generation is null) return NotFound().ToProblem();
        var images = await db.Set<GeneratedImage>().AsNoTracking().Where(i => i.GenerationId == id).OrderBy(i => i.Index).ToListAsync(ct);
        return TypedResults.Ok(ToApi(generation, images));
    }

    private static async Task<Results<Ok<GenerationPage>, ProblemHttpResult>> ListAsync(string? cursor, int? limit, AppDbContext db, CancellationToken ct)
    {
        var take = limit ?? 20;
        if (take is < 1 or > 100) return Failure.Invalid("limit", "limit must be between 1 and 100.").ToProblem();
        var query = db.Set<Generation>().AsNoTracking();
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!TryReadCursor(cursor, out var at, out var afterId)) return Failure.Invalid("cursor", "This cursor is not one the API gave out; start again without it.").ToProblem();
            query = query.Where(g => g.CreatedAt < at || (g.CreatedAt == at && g.Id.CompareTo(afterId) < 0));
        }
        var rows = await query.OrderByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id).Take(take + 1).ToListAsync(ct);
        var page = rows.Take(take).ToList();
        var ids = page.Select(g => g.Id).ToList();
        var images = await db.Set<GeneratedImage>().AsNoTracking().Where(i => ids.Contains(i.GenerationId)).ToListAsync(ct);
        var next = rows.Count > take ? WriteCursor(page[^1]) : null;
        return TypedResults.Ok(new GenerationPage(
            page.Select(g => ToApi(g, images.Where(i => i.GenerationId == g.Id).OrderBy(i => i.Index).ToList())).ToList(), next));
    }

    private static async Task<Results<Ok<ApiGeneration>, ProblemHttpResult>> CancelAsync(Guid id, GenerationService generations, AppDbContext db, CancellationToken ct)
    {
        var canceled = await generations.CancelAsync(id, ct);
        if (canceled.Failure is { } failure) return failure.ToProblem();
        return await GetAsync(id, db, ct);
    }

    private static async Task<Ok<List<ProviderCapabilities>>> ProvidersAsync(IProviderRegistry providers, CancellationToken ct)
    {
        var all = new List<ProviderCapabilities>();
        foreach (var provider in providers.All) all.Add(await provider.GetCapabilitiesAsync(null, ct));
        return TypedResults.Ok(all);
    }

    public static ApiGeneration ToApi(Generation g, IReadOnlyList<GeneratedImage> images) => new(
        g.Id, g.Status.ToString(), g.ProviderId, g.Model, g.Prompt, g.NumImages, g.Progress, g.BatchId,
        g.CreatedAt, g.StartedAt, g.CompletedAt,
        g.ErrorMessage is null ? null : new ApiError(g.ErrorCode ?? g.Status.ToString().ToLowerInvariant(), g.ErrorMessage),
        g.EstimatedCredits, g.Credits, g.CostUsd,
        images.Select(i => new ApiImage(i.Id, i.Url, i.ThumbnailUrl, i.Width, i.Height, i.ContentType)).ToList());

    private static string WriteCursor(Generation g) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{g.CreatedAt.ToUnixTimeMilliseconds()}:{g.Id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryReadCursor(string cursor, out DateTimeOffset at, out Guid id)
    {
        at = default;
        id = default;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || !Guid.TryParseExact(parts[1], "N", out id)) return false;
            at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Failure NotFound() => Failure.NotFound("There is no such generation in this workspace.");
}
