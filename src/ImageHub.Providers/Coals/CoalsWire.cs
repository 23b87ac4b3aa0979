using System.Text.Json.Serialization;

namespace ImageHub.Providers.Coals;

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
