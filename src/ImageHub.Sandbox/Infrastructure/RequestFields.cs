using System.Text.Json;

namespace ImageHub.Sandbox.Infrastructure;

/// <summary>
/// Reads a provider's JSON request body field by field, collecting one clear message per wrong field
/// instead of failing on the first (or with a framework 400).
/// </summary>
internal sealed class RequestFields
{
    private readonly JsonElement root;

    private RequestFields(JsonElement root) => this.root = root;

    public Dictionary<string, List<string>> Errors { get; } = new(StringComparer.Ordinal);

    public bool IsValid => Errors.Count == 0;

    /// <summary>Parses the body; null and a message when it is not a JSON object.</summary>
    public static RequestFields? Parse(string body, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(body))
        {
            problem = "The request body must be a JSON object; it was empty.";
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"The request body must be a JSON object, not {Describe(document.RootElement.ValueKind)}.";
                return null;
            }

            return new RequestFields(document.RootElement.Clone());
        }
        catch (JsonException ex)
        {
            problem = $"The request body is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}).";
            return null;
        }
    }

    public void Error(string field, string message)
    {
        if (!Errors.TryGetValue(field, out var list))
        {
            Errors[field] = list = [];
        }

        list.Add(message);
    }

    /// <summary>All messages, one per line item, for providers whose errors are a single string.</summary>
    public string Summary() => string.Join(" ", Errors.SelectMany(e => e.Value));

    public bool Has(string name) => root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? String(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error(name, $"{name} must be a string, not {Describe(value.ValueKind)}.");
            return null;
        }

        return value.GetString();
    }

    public int? Int(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue)
        {
            return (int)d;
        }

        Error(name, $"{name} must be a whole number, not {Describe(value.ValueKind)}{(value.ValueKind == JsonValueKind.Number ? $" {value.GetRawText()}" : "")}.");
        return null;
    }

    public long? Long(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        Error(name, $"{name} must be a whole number, not {Describe(value.ValueKind)}.");
        return null;
    }

    public decimal? Number(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number))
        {
            return number;
        }

        Error(name, $"{name} must be a number, not {Describe(value.ValueKind)}.");
        return null;
    }

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Error(name, $"{name} must be true or false, not {Describe(value.ValueKind)}.");
        return null;
    }

    public IReadOnlyList<JsonElement>? Array(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(name, $"{name} must be an array, not {Describe(value.ValueKind)}.");
            return null;
        }

        return [.. value.EnumerateArray()];
    }

    public IReadOnlyList<string>? StringArray(string name)
    {
        var items = Array(name);
        if (items is null)
        {
            return null;
        }

        if (items.Any(i => i.ValueKind != JsonValueKind.String))
        {
            Error(name, $"{name} must be an array of strings.");
            return null;
        }

        return [.. items.Select(i => i.GetString()!)];
    }

    private bool TryGet(string name, out JsonElement value) =>
        root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
