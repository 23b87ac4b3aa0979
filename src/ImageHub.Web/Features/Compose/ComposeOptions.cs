using System.Globalization;
using ImageHub.Providers;

namespace ImageHub.Web.Features.Compose;

/// <summary>
/// Which of a provider's options the composer shows, with the values the chosen model allows, and how one
/// aspect ratio is mapped onto each provider's own vocabulary in compare mode (Koala <c>size</c>, Coals
/// <c>width</c>/<c>height</c>, Qolaba and Kolbo <c>aspect_ratio</c>).
/// </summary>
public static class ComposeOptions
{
    /// <summary>Transport or image-editing fields the composer does not offer (the REST API still takes them).</summary>
    private static readonly HashSet<string> NotComposed = ["celery", "image_urls", "mask_url"];

    /// <summary>Fields shown under "More options" rather than at once.</summary>
    private static readonly HashSet<string> Advanced = ["temperature", "reference_images", "visual_dna_ids", "num_inference_steps", "guidance_scale"];

    public static readonly IReadOnlyList<string> CommonAspectRatios = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3"];

    /// <summary>The options this provider supports with <paramref name="model"/> (a model without qualities hides quality).</summary>
    public static IEnumerable<OptionDescriptor> Visible(ProviderCapabilities capabilities, ProviderModel? model) =>
        capabilities.Options.Where(o => !NotComposed.Contains(o.Name) && Applies(o, model));

    public static bool IsAdvanced(OptionDescriptor option) => Advanced.Contains(option.Name);

    private static bool Applies(OptionDescriptor option, ProviderModel? model) => option.Name switch
    {
        "quality" => option.AllowedValues is null || model is null || model.Qualities is null || model.Qualities.Count > 0,
        "seed" => model?.SupportsSeed is not false,
        _ => true,
    };

    /// <summary>The values the option allows with the chosen model (a model's own aspect ratios or qualities), or null for free input.</summary>
    public static IReadOnlyList<string>? AllowedValues(OptionDescriptor option, ProviderModel? model) => option.Name switch
    {
        "aspect_ratio" when model?.AspectRatios is { Count: > 0 } ratios => ratios,
        "quality" when model?.Qualities is { Count: > 0 } qualities => qualities,
        _ => option.AllowedValues,
    };

    /// <summary>The most images the provider takes with this model.</summary>
    public static int MaxImages(ProviderCapabilities capabilities, ProviderModel? model) =>
        Math.Max(1, Math.Min(model?.MaxImages ?? capabilities.MaxImages, capabilities.MaxImages));

    /// <summary>Sets each chosen provider's own size fields to match <paramref name="ratio"/> ("16:9").</summary>
    public static void ApplyAspectRatio(ComposeDraft draft, string ratio, IReadOnlyDictionary<string, ProviderCapabilities> capabilities)
    {
        if (!TryParseRatio(ratio, out var target)) return;
        foreach (var providerId in draft.Providers)
        {
            if (!capabilities.TryGetValue(providerId, out var caps)) continue;
            var settings = draft.For(providerId);
            var model = caps.FindModel(settings.Model ?? caps.DefaultModel);

            if (caps.FindOption("aspect_ratio") is { } aspect)
            {
                var allowed = AllowedValues(aspect, model);
                var pick = allowed is null ? ratio : Closest(allowed, target);
                if (pick is not null) settings.Set("aspect_ratio", pick);
            }
            else if (caps.FindOption("size") is { AllowedValues: { } sizes })
            {
                var pick = Closest(sizes, target, size => size.Replace('x', ':'));
                if (pick is not null) settings.Set("size", pick);
            }
            else if (caps.FindOption("width") is { } width && caps.FindOption("height") is { } height)
            {
                var (w, h) = SidesFor(target, width, height);
                settings.Set("width", w.ToString(CultureInfo.InvariantCulture));
                settings.Set("height", h.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>1024 on the long side, the short side rounded to a multiple of 64, inside the option's range.</summary>
    private static (int Width, int Height) SidesFor(double ratio, OptionDescriptor width, OptionDescriptor height)
    {
        const int longSide = 1024;
        var shortSide = (int)Math.Round(longSide / Math.Max(ratio, 1 / ratio) / 64) * 64;
        var (w, h) = ratio >= 1 ? (longSide, shortSide) : (shortSide, longSide);
        return (Clamp(w, width), Clamp(h, height));
    }

    private static int Clamp(int value, OptionDescriptor option) =>
        (int)Math.Clamp(value, option.Min ?? value, option.Max ?? value);

    private static string? Closest(IReadOnlyList<string> values, double target, Func<string, string>? asRatio = null)
    {
        string? best = null;
        var bestDistance = double.MaxValue;
        foreach (var value in values)
        {
            if (!TryParseRatio((asRatio ?? (v => v))(value), out var r)) continue;
            var distance = Math.Abs(Math.Log(r / target));
            if (distance < bestDistance)
            {
                best = value;
                bestDistance = distance;
            }
        }
        return best;
    }

    internal static bool TryParseRatio(string text, out double ratio)
    {
        ratio = 0;
        var parts = text.Split(':');
        return parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var w)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var h)
            && w > 0 && h > 0
            && (ratio = w / h) > 0;
    }
}
