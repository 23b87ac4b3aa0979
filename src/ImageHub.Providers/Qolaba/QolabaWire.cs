using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace ImageHub.Providers.Qolaba;

/// <summary>
/// Qolaba's HTTP surface (base <c>https://api.platform.qolaba.ai/</c>). The key goes in exactly one of the two
/// headers (<see cref="QolabaOptions.AuthHeader"/>); the other is null and so not sent.
/// </summary>
[Headers("Accept: application/json")]
internal interface IQolabaApi
{
    [Post("/api/v1/images/generate")]
    Task<HttpResponseMessage> GenerateAsync([Body] QolabaGenerateRequest body, [Header("X-API-Key")] string? apiKey,
        [Header("Authorization")] string? authorization, CancellationToken cancellationToken);

    [Get("/api/v1/tasks/{taskId}")]
    Task<HttpResponseMessage> GetTaskAsync(string taskId, [Header("X-API-Key")] string? apiKey,
        [Header("Authorization")] string? authorization, CancellationToken cancellationToken);

    [Get("/api/v1/images/models")]
    Task<HttpResponseMessage> ListModelsAsync([Header("X-API-Key")] string? apiKey,
        [Header("Authorization")] string? authorization, CancellationToken cancellationToken);
}

/// <summary>POST api/v1/images/generate body, in Qolaba's field names.</summary>
internal sealed record QolabaGenerateRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("prompt")] string? Prompt,
    [property: JsonPropertyName("celery")] bool? Celery,
    [property: JsonPropertyName("image_urls")] IReadOnlyList<string>? ImageUrls,
    [property: JsonPropertyName("reference_images")] IReadOnlyList<QolabaReferenceImage>? ReferenceImages,
    [property: JsonPropertyName("mask_url")] string? MaskUrl,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("quality")] string? Quality,
    [property: JsonPropertyName("num_images")] int? NumImages,
    [property: JsonPropertyName("seed")] long? Seed,
    [property: JsonPropertyName("num_inference_steps")] int? NumInferenceSteps,
    [property: JsonPropertyName("guidance_scale")] decimal? GuidanceScale,
    [property: JsonPropertyName("temperature")] decimal? Temperature,
    [property: JsonPropertyName("negative_prompt")] string? NegativePrompt);

internal sealed record QolabaReferenceImage(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("description")] string? Description);

/// <summary>The sync 200 reply, and the <c>output</c> of a SUCCESS task.</summary>
internal sealed record QolabaResult(
    [property: JsonPropertyName("task_id")] string? TaskId,
    [property: JsonPropertyName("prompt")] string? Prompt,
    [property: JsonPropertyName("seed")] long? Seed,
    [property: JsonPropertyName("images")] List<QolabaImage>? Images,
    [property: JsonPropertyName("usage")] QolabaUsage? Usage);

internal sealed record QolabaImage(
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("width")] int? Width,
    [property: JsonPropertyName("height")] int? Height,
    [property: JsonPropertyName("content_type")] string? ContentType);

internal sealed record QolabaUsage(
    [property: JsonPropertyName("images_generated")] int? ImagesGenerated,
    [property: JsonPropertyName("cost_usd")] decimal? CostUsd,
    [property: JsonPropertyName("cost_credits")] decimal? CostCredits);

/// <summary>GET api/v1/tasks/{id}.</summary>
internal sealed record QolabaTask(
    [property: JsonPropertyName("task_id")] string? TaskId,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("progress")] decimal? Progress,
    [property: JsonPropertyName("output")] JsonElement? Output,
    [property: JsonPropertyName("error")] JsonElement? Error,
    [property: JsonPropertyName("error_detail")] JsonElement? ErrorDetail);

internal sealed record QolabaModelList([property: JsonPropertyName("models")] List<QolabaModel>? Models);

/// <summary>One entry of GET api/v1/images/models.</summary>
public sealed record QolabaModel(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("capabilities")] List<string>? Capabilities,
    [property: JsonPropertyName("imageSize")] List<string>? ImageSize,
    [property: JsonPropertyName("quality")] List<string>? Quality,
    [property: JsonPropertyName("quality_pricing")] Dictionary<string, decimal>? QualityPricing,
    [property: JsonPropertyName("outputFormat")] List<string>? OutputFormat,
    [property: JsonPropertyName("maxNumImages")] int? MaxNumImages,
    [property: JsonPropertyName("defaultNumImages")] int? DefaultNumImages,
    [property: JsonPropertyName("maxReferenceImages")] int? MaxReferenceImages,
    [property: JsonPropertyName("supportsSeed")] bool? SupportsSeed);

/// <summary>Every Qolaba wire type, source-generated (Refit writes requests with it; the client reads replies with it).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(QolabaGenerateRequest))]
[JsonSerializable(typeof(QolabaResult))]
[JsonSerializable(typeof(List<QolabaImage>))]
[JsonSerializable(typeof(QolabaTask))]
[JsonSerializable(typeof(QolabaModelList))]
[JsonSerializable(typeof(List<QolabaModel>))]
internal sealed partial class QolabaJson : JsonSerializerContext;
