using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageHub.Providers;

/// <summary>
/// What the app persists to resume a generation after a restart without paying twice: Koala's image URLs,
/// Qolaba's task_id (or the finished images), Kolbo's generation_id + resolved poll URL + poll interval hint,
/// Coals' images. <see cref="Serialize"/> gives a compact JSON string for a database column.
/// </summary>
public sealed record ProviderHandle(
    [property: JsonPropertyName("p")] string ProviderId,
    [property: JsonPropertyName("id")] string? Id = null,
    [property: JsonPropertyName("poll")] string? PollUrl = null,
    [property: JsonPropertyName("hint")] int? PollIntervalSeconds = null,
    [property: JsonPropertyName("images")] IReadOnlyList<ProviderImage>? Images = null,
    [property: JsonPropertyName("credits")] decimal? Credits = null,
    [property: JsonPropertyName("usd")] decimal? CostUsd = null,
    [property: JsonPropertyName("model")] string? Model = null,
    [property: JsonPropertyName("done")] bool Finished = false)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public IReadOnlyList<ProviderImage> ImagesOrEmpty => Images ?? [];

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static ProviderHandle Deserialize(string value) =>
        TryDeserialize(value, out var handle)
            ? handle
            : throw new FormatException("The stored provider handle is not readable.");

    public static bool TryDeserialize(string? value, out ProviderHandle handle)
    {
        handle = null!;
        if (string.IsNullOrWhiteSpace(value)) return false;
        try
        {
            var parsed = JsonSerializer.Deserialize<ProviderHandle>(value, Json);
            if (parsed is null || string.IsNullOrEmpty(parsed.ProviderId)) return false;
            handle = parsed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
