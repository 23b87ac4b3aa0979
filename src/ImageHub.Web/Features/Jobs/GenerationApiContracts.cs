using System.Text.Json;

namespace ImageHub.Web.Features.Jobs;

/// <summary><c>POST /api/v1/generations</c>: <c>options</c> holds the provider's own documented fields.</summary>
public sealed record CreateGenerationBody(string? Prompt, string? Provider, string? Model, int? NumImages, Dictionary<string, JsonElement>? Options);

public sealed record GenerationAccepted(Guid Id, string Status);

public sealed record ApiError(string Code, string Message);

public sealed record ApiImage(Guid Id, string Url, string ThumbnailUrl, int Width, int Height, string ContentType);

public sealed record ApiGeneration(
    Guid Id,
    string Status,
    string Provider,
    string? Model,
    string Prompt,
    int NumImages,
    int? Progress,
    Guid? BatchId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    ApiError? Error,
    decimal? EstimatedCredits,
    decimal? Credits,
    decimal? CostUsd,
    IReadOnlyList<ApiImage> Images);

public sealed record GenerationPage(IReadOnlyList<ApiGeneration> Items, string? NextCursor);


