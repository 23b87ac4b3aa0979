using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageHub.Sandbox.Infrastructure;

internal static class WireJson
{
    /// <summary>Qolaba, Coals and Kolbo speak snake_case (with explicit names where a provider mixes styles).</summary>
    public static JsonSerializerOptions Snake { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // URLs keep a literal '&', as the providers send them
    };

    /// <summary>Koala's few fields and the control endpoints: camelCase.</summary>
    public static JsonSerializerOptions Camel { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string NewId(int length = 16) => Guid.NewGuid().ToString("N")[..length];
}
