using System.Globalization;
using System.Text.Json;
using ImageHub.Providers;

namespace ImageHub.Web.Features.Compose;

/// <summary>
/// What the composer holds while a person edits: the prompt, the chosen providers (in the order picked) and, per
/// provider, the model, the number of images and the option values as typed. Values stay text until
/// <see cref="ProviderSettings.ToRequest"/> turns them into the provider's own JSON fields.
/// </summary>
public sealed class ComposeDraft
{
    public string Prompt { get; set; } = "";

    public List<string> Providers { get; } = [];

    public Dictionary<string, ProviderSettings> Settings { get; } = new(StringComparer.Ordinal);

    public bool IsCompare => Providers.Count > 1;

    public ProviderSettings For(string providerId)
    {
        if (!Settings.TryGetValue(providerId, out var settings))
        {
            settings = new ProviderSettings(providerId);
            Settings[providerId] = settings;
        }
        return settings;
    }

    /// <summary>Adds or removes a provider chip; the settings of a removed provider are kept for when it comes back.</summary>
    public void Toggle(string providerId)
    {
        if (!Providers.Remove(providerId)) Providers.Add(providerId);
    }

    /// <summary>The smallest prompt limit among the chosen providers (the prompt goes to all of them).</summary>
    public int? PromptLimit(IReadOnlyDictionary<string, ProviderCapabilities> capabilities) =>
        Providers.Where(capabilities.ContainsKey).Select(p => (int?)capabilities[p].MaxPromptLength).Min();
}

/// <summary>One provider's choices in the composer. Empty text means "the provider's default" and is not sent.</summary>
public sealed class ProviderSettings(string providerId)
{
    public string ProviderId { get; } = providerId;

    public string? Model { get; set; }

    public int NumImages { get; set; } = 1;

    public Dictionary<string, string?> Values { get; } = new(StringComparer.Ordinal);

    public string? Get(string option) => Values.TryGetValue(option, out var value) ? value : null;

    public void Set(string option, string? value) => Values[option] = value;

    /// <summary>When picked: a provider that needs a model and names no default (Qolaba) starts on its recommended (or first) model.</summary>
    public void StartOn(ProviderCapabilities capabilities)
    {
        if (!capabilities.ModelRequired || capabilities.DefaultModel is not null || Model is not null) return;
        Model = (capabilities.Models.FirstOrDefault(m => m.Recommended && !m.Deprecated) ?? capabilities.Models.FirstOrDefault(m => !m.Deprecated))?.Id;
    }

    /// <summary>
    /// The unified request for this provider, with option values typed by their descriptors. Values that cannot
    /// be typed (letters in a number) come back as field errors named like the provider's own
    /// (<c>options.seed</c>), so the page shows them beside the field before anything is sent.
    /// </summary>
    public (GenerationRequest Request, IReadOnlyList<FieldError> Errors) ToRequest(string prompt, ProviderCapabilities capabilities)
    {
        var errors = new List<FieldError>();
        var options = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var descriptor in ComposeOptions.Visible(capabilities, capabilities.FindModel(Model)))
        {
            var text = Get(descriptor.Name)?.Trim();
            if (string.IsNullOrEmpty(text)) continue;
            if (TryConvert(descriptor, text, out var element, out var problem)) options[descriptor.Name] = element;
            else errors.Add(new FieldError("options." + descriptor.Name, problem));
        }
        var request = new GenerationRequest(prompt, string.IsNullOrWhiteSpace(Model) ? null : Model, NumImages, options.Count == 0 ? null : options);
        return (request, errors);
    }

    /// <summary>Fills these settings from a stored request (model, number, the provider's own option fields), for "use again".</summary>
    public void Load(string? model, int? numImages, IReadOnlyDictionary<string, JsonElement>? options)
    {
        Model = model;
        NumImages = numImages ?? 1;
        Values.Clear();
        foreach (var (name, value) in options ?? new Dictionary<string, JsonElement>())
        {
            Values[name] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Array => string.Join("\n", value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => value.GetRawText(),
            };
        }
    }

    internal static bool TryConvert(OptionDescriptor descriptor, string text, out JsonElement element, out string problem)
    {
        element = default;
        problem = "";
        switch (descriptor.Kind)
        {
            case OptionKind.Int:
                if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
                {
                    problem = $"{descriptor.Label} must be a whole number.";
                    return false;
                }
                element = JsonSerializer.SerializeToElement(whole);
                return true;
            case OptionKind.Number:
                if (!decimal.TryParse(text.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    problem = $"{descriptor.Label} must be a number.";
                    return false;
                }
                element = JsonSerializer.SerializeToElement(number);
                return true;
            case OptionKind.Bool:
                if (!bool.TryParse(text, out var flag))
                {
                    problem = $"{descriptor.Label} must be on or off.";
                    return false;
                }
                element = JsonSerializer.SerializeToElement(flag);
                return true;
            case OptionKind.StringList:
                var items = text.Split(['\n', '\r', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                element = JsonSerializer.SerializeToElement(items);
                return true;
            default:
                element = JsonSerializer.SerializeToElement(text);
                return true;
        }
    }
}
