using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace ImageHub.Providers.Coals;

/// <summary>Coals.ai GraphiCoal's HTTP surface (base <c>https://coals.ai/api/v1/graphicoal/</c>), Bearer auth per call.</summary>
[Headers("Accept: application/json")]
internal interface ICoalsApi
{
    [Post("/generate")]
    Task<HttpResponseMessage> GenerateAsync([Body] CoalsGenerateRequest body, [Authorize("Bearer")] string apiKey, CancellationToken cancellationToken);

    /// <summary>Free; its body is not documented.</summary>
    [Get("/quota")]
    Task<HttpResponseMessage> GetQuotaAsync([Authorize("Bearer")] string apiKey, CancellationToken cancellationToken);
}

/// <summary>POST generate body. Coals has no model field: its one model is FLUX.</summary>
internal sealed record CoalsGenerateRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("width")] int? Width,
    [property: JsonPropertyName("height")] int? Height,
    [property: JsonPropertyName("num_images")] int? NumImages);

/// <summary>One generated image: the whole reply for one image, one element of the array for several.</summary>
internal sealed record CoalsImage(
    [property: JsonPropertyName("success")] bool? Success,
    [property: JsonPropertyName("image_id")] string? ImageId,
    [property: JsonPropertyName("image_url")] string? ImageUrl,
    [property: JsonPropertyName("width")] int? Width,
    [property: JsonPropertyName("height")] int? Height,
    [property: JsonPropertyName("generation_time_ms")] long? GenerationTimeMs,
    [property: JsonPropertyName("credits_charged")] decimal? CreditsCharged);

/// <summary>What GET quota said, read liberally (its body is not documented).</summary>
public sealed record CoalsQuota(decimal? CreditsRemaining, string Raw);

/// <summary>Every Coals wire type, source-generated (Refit writes requests with it; the client reads replies with it).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(CoalsGenerateRequest))]
[JsonSerializable(typeof(CoalsImage))]
[JsonSerializable(typeof(List<CoalsImage>))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class CoalsJson : JsonSerializerContext;
