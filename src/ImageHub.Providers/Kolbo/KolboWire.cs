using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace ImageHub.Providers.Kolbo;

/// <summary>Kolbo's HTTP surface (base <c>https://api.kolbo.ai/api/</c>), <c>X-API-Key</c> per call.</summary>
[Headers("Accept: application/json")]
internal interface IKolboApi
{
    [Post("/v1/generate/image")]
    Task<HttpResponseMessage> GenerateAsync([Body] KolboGenerateRequest body, [Header("X-API-Key")] string apiKey, CancellationToken cancellationToken);

    /// <summary>The documented status path.</summary>
    [Get("/v1/generate/{generationId}/status")]
    Task<HttpResponseMessage> GetStatusAsync(string generationId, [Header("X-API-Key")] string apiKey, CancellationToken cancellationToken);

    /// <summary>A <c>poll_url</c> Kolbo gave, on the base's origin and under its path (relative to the base).</summary>
    [Get("/{**path}")]
    Task<HttpResponseMessage> PollAsync(string path, [Header("X-API-Key")] string apiKey, CancellationToken cancellationToken);

    [Post("/v1/generate/{generationId}/cancel")]
    Task<HttpResponseMessage> CancelAsync(string generationId, [Header("X-API-Key")] string apiKey, CancellationToken cancellationToken);

    /// <summary>The server filters on <c>type</c>; the client never filters on the undocumented <c>types</c> values.</summary>
    [Get("/v1/models?type=image")]
    Task<HttpResponseMessage> ListImageModelsAsync([Header("X-API-Key")] string apiKey, CancellationToken cancellationToken);

    [Get("/v1/moodboards")]
    Task<HttpResponseMessage> ListMoodboardsAsync([Header("X-API-Key")] string apiKey, CancellationToken cancellationToken);

    [Get("/v1/visual-dna")]
    Task<HttpResponseMessage> ListVisualDnaAsync([Header("X-API-Key")] string apiKey, CancellationToken cancellationToken);

    [Get("/v1/account/credits")]
    Task<HttpResponseMessage> GetCreditsAsync([Header("X-API-Key")] string apiKey, CancellationToken cancellationToken);
}

/// <summary>POST v1/generate/image body. No <c>model</c> = Smart Select.</summary>
internal sealed record KolboGenerateRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("enhance_prompt")] bool? EnhancePrompt,
    [property: JsonPropertyName("num_images")] int? NumImages,
    [property: JsonPropertyName("reference_images")] IReadOnlyList<string>? ReferenceImages,
    [property: JsonPropertyName("visual_dna_ids")] IReadOnlyList<string>? VisualDnaIds,
    [property: JsonPropertyName("moodboard_id")] string? MoodboardId);

internal sealed record KolboGenerateReply(
    [property: JsonPropertyName("success")] bool? Success,
    [property: JsonPropertyName("generation_id")] string? GenerationId,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("credits_charged")] decimal? CreditsCharged,
    [property: JsonPropertyName("poll_url")] string? PollUrl,
    [property: JsonPropertyName("poll_interval_hint")] decimal? PollIntervalHint);

internal sealed record KolboStatusReply(
    [property: JsonPropertyName("success")] bool? Success,
    [property: JsonPropertyName("generation_id")] string? GenerationId,
    [property: JsonPropertyName("state")] string? State,
    [property: JsonPropertyName("status")] JsonElement? Status,
    [property: JsonPropertyName("progress")] decimal? Progress,
    [property: JsonPropertyName("result")] KolboResult? Result,
    [property: JsonPropertyName("error")] JsonElement? Error,
    [property: JsonPropertyName("credits_charged")] decimal? CreditsCharged,
    [property: JsonPropertyName("credits_refunded")] decimal? CreditsRefunded);

internal sealed record KolboResult(
    [property: JsonPropertyName("urls")] List<string>? Urls,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("prompt_used")] string? PromptUsed,
    [property: JsonPropertyName("created_at")] string? CreatedAt);

internal sealed record KolboModelList([property: JsonPropertyName("models")] List<KolboModel>? Models);

/// <summary>One entry of GET v1/models?type=image (<c>credit</c>; the docs' JS example reads <c>credits</c>: both accepted).</summary>
public sealed record KolboModel(
    [property: JsonPropertyName("identifier")] string Identifier,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("types")] List<string>? Types,
    [property: JsonPropertyName("credit")] decimal? Credit,
    [property: JsonPropertyName("credits")] decimal? Credits,
    [property: JsonPropertyName("supported_aspect_ratios")] List<string>? SupportedAspectRatios,
    [property: JsonPropertyName("max_reference_images")] int? MaxReferenceImages,
    [property: JsonPropertyName("recommended")] bool? Recommended)
{
    public decimal? CreditsPerImage => Credit ?? Credits;
}

/// <summary>GET v1/account/credits → credits.</summary>
public sealed record KolboCredits(
    [property: JsonPropertyName("total")] decimal Total,
    [property: JsonPropertyName("plan_credits")] decimal? PlanCredits,
    [property: JsonPropertyName("credit_pack")] decimal? CreditPack,
    [property: JsonPropertyName("redemption")] decimal? Redemption);

/// <summary>A moodboard or a visual DNA entry (their bodies are not fully documented: id and name are read liberally).</summary>
public sealed record KolboNamedItem(string Id, string Name, string? Description);

/// <summary>Every Kolbo wire type, source-generated (Refit writes requests with it; the client reads replies with it).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(KolboGenerateRequest))]
[JsonSerializable(typeof(KolboGenerateReply))]
[JsonSerializable(typeof(KolboStatusReply))]
[JsonSerializable(typeof(KolboModelList))]
[JsonSerializable(typeof(List<KolboModel>))]
[JsonSerializable(typeof(KolboCredits))]
internal sealed partial class KolboJson : JsonSerializerContext;
