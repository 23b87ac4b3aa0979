using System.Text.Json.Serialization;

namespace ImageHub.Providers.Koala;

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
