using System.Globalization;
using ImageHub.Providers;

namespace ImageHub.Web.Features.Compose;

/// <summary>
/// Which of a provider's options the composer shows (the provider's <see cref="OptionPlacement"/> and what the
/// chosen model takes, both from its capabilities), and how one aspect ratio is mapped onto each provider's own
/// vocabulary in compare mode (an <c>aspect_ratio</c> option, a <c>size</c> of W x H, or <c>width</c>/<c>height</c>).
/// </summary>
public static class ComposeOptions
{
    public static readonly IReadOnlyList<string> CommonAspectRatios = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3"];

    /// <summary>The options this provider supports with <paramref name="model"/> (a model without qualities hides quality).</summary>
    public static IEnumerable<OptionDescriptor> Visible(ProviderCapabilities capabilities, ProviderModel? model) =>
        capabilities.Options.Where(o => o.Placement != OptionPlacement.ApiOnly && capabilities.Offers(o, model));

    public static bool IsAdvanced(OptionDescriptor option) => option.Placement == OptionPlacement.More;

    /// <summary>The values the option allows with the chosen model (the model's own list where it has one), or null for free input.</summary>
    public static IReadOnlyList<string>? AllowedValues(ProviderCapabilities capabilities, OptionDescriptor option, ProviderModel? model) =>
        capabilities.AllowedValues(option, model);

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
                var allowed = AllowedValues(caps, aspect, model);
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
