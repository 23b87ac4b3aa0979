using System.Globalization;

namespace ImageHub.Web.Features.Compose;

/// <summary>How a provider's raw option values read in the composer ("watercolor" → "Watercolor", "1344x768" → "1344 × 768").</summary>
public static class OptionText
{
    public static string Value(string raw)
    {
        if (raw.Length == 0) return raw;
        var parts = raw.Split('x');
        if (parts.Length == 2 && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit))) return $"{parts[0]} × {parts[1]}";
        if (!raw.All(c => char.IsAsciiLetterLower(c) || c is '_' or '-')) return raw;
        var words = raw.Replace('_', ' ').Replace('-', ' ');
        return char.ToUpper(words[0], CultureInfo.InvariantCulture) + words[1..];
    }
}
