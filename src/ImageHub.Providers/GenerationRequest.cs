using System.Text.Json;

namespace ImageHub.Providers;

/// <summary>
/// One request for every provider. <paramref name="Options"/> holds the provider's OWN documented field
/// names (Koala <c>style</c>, <c>size</c>; Qolaba <c>aspect_ratio</c>, <c>quality</c>, <c>seed</c>, ...;
/// Coals <c>width</c>, <c>height</c>; Kolbo <c>aspect_ratio</c>, <c>enhance_prompt</c>, ...), exactly as the
/// provider's capabilities list them. Unknown names are validation errors, never silently dropped.
/// </summary>
public sealed record GenerationRequest(
    string Prompt,
    string? Model = null,
    int? NumImages = null,
    IReadOnlyDictionary<string, JsonElement>? Options = null)
{
    public IReadOnlyDictionary<string, JsonElement> OptionsOrEmpty => Options ?? EmptyOptions;

    private static readonly IReadOnlyDictionary<string, JsonElement> EmptyOptions = new Dictionary<string, JsonElement>();

    /// <summary>Builds an options dictionary from plain values (strings, numbers, bools, string arrays).</summary>
    public static IReadOnlyDictionary<string, JsonElement> OptionsFrom(params (string Name, object? Value)[] values)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            result[name] = JsonSerializer.SerializeToElement(value);
        }
        return result;
    }
}

/// <summary>One problem with one field of a request: <c>prompt</c>, <c>model</c>, <c>numImages</c> or <c>options.{name}</c>.</summary>
public sealed record FieldError(string Field, string Message);
