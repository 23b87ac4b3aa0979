using System.Text.Json.Serialization;
using Refit;

namespace ImageHub.Providers.Koala;

/// <summary>KoalaImages' HTTP surface (base <c>https://koala.sh/</c>), Bearer auth per call.</summary>
[Headers("Accept: application/json")]
internal interface IKoalaApi
{
    [Post("/api/image-generation/")]
    Task<HttpResponseMessage> GenerateAsync([Body] KoalaGenerateRequest body, [Authorize("Bearer")] string apiKey, CancellationToken cancellationToken);
}

/// <summary>POST api/image-generation/ body, in Koala's own field names.</summary>
internal sealed record KoalaGenerateRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("style")] string? Style,
    [property: JsonPropertyName("size")] string? Size,
    [property: JsonPropertyName("numImages")] int NumImages,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("quality")] string? Quality);

/// <summary>One element of Koala's reply array. The URL exists before the image does: a GET blocks until ready.</summary>
internal sealed record KoalaImage(
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("alt")] string? Alt);

/// <summary>Every Koala wire type, source-generated (Refit writes requests with it; the client reads replies with it).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(KoalaGenerateRequest))]
[JsonSerializable(typeof(KoalaImage))]
[JsonSerializable(typeof(List<KoalaImage>))]
internal sealed partial class KoalaJson : JsonSerializerContext;
