namespace ImageHub.Providers;

/// <summary>What a provider accepts, so a UI renders only the options it supports and the app validates before sending.</summary>
public sealed record ProviderCapabilities(
    ProviderProfile Profile,
    int MaxPromptLength,
    int MaxImages,
    int DefaultImages,
    IReadOnlyList<ProviderModel> Models,
    IReadOnlyList<OptionDescriptor> Options,
    bool SupportsCancel,
    bool ReportsBalance,
    string? DefaultModel,
    bool ModelRequired,
    bool ModelsAreComplete)
{
    /// <summary>The provider's id ("koala"): its <see cref="ProviderProfile.Id"/>, which holds what is known about the provider whatever the key.</summary>
    public string ProviderId => Profile.Id;

    /// <summary>"Koala": the profile's <see cref="ProviderProfile.DisplayName"/>.</summary>
    public string DisplayName => Profile.DisplayName;

    /// <summary>The values <paramref name="option"/> allows with <paramref name="model"/>: the model's own list where it has one, else the option's (null: free input).</summary>
    public IReadOnlyList<string>? AllowedValues(OptionDescriptor option, ProviderModel? model) =>
        model?.OptionValues is { } byOption && byOption.TryGetValue(option.Name, out var values) ? values : option.AllowedValues;

    /// <summary>False when <paramref name="model"/> does not take <paramref name="option"/> (a seed on a model without seeds, a quality on a model without qualities).</summary>
    public bool Offers(OptionDescriptor option, ProviderModel? model) =>
        model is null
        || (model.UnsupportedOptions?.Contains(option.Name) != true
            && !(option.Kind == OptionKind.Enum && model.OptionValues is { } byOption && byOption.TryGetValue(option.Name, out var values) && values.Count == 0));

    /// <summary>Says where the models come from ("configured", "fetched from Kolbo at …").</summary>
    public string ModelsSource { get; init; } = "configured";

    public ProviderModel? FindModel(string? id) =>
        id is null ? null : Models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));

    public OptionDescriptor? FindOption(string name) =>
        Options.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.Ordinal));
}

/// <summary>
/// A model the provider offers. Credits are the provider's own unit; <see cref="CreditsPerImage"/> or
/// <see cref="CreditsPerCall"/> where known, <see cref="CreditsByQuality"/> when the price depends on quality.
/// Null lists mean "the provider does not say": the option's own allowed values apply.
/// </summary>
public sealed record ProviderModel(
    string Id,
    string Name,
    decimal? CreditsPerImage = null,
    decimal? CreditsPerCall = null,
    IReadOnlyDictionary<string, decimal>? CreditsByQuality = null,
    int? MaxImages = null,
    int? DefaultImages = null,
    int? MaxReferenceImages = null,
    bool? SupportsSeed = null,
    bool RequiresPremiumPlan = false,
    bool Deprecated = false,
    bool Recommended = false,
    string? Vendor = null)
{
    /// <summary>Model-specific allowed values per option name (aspect ratios, qualities); an empty list: the model does not take that option.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? OptionValues { get; init; }

    /// <summary>This model's own values for <paramref name="option"/>; empty when it has none of its own.</summary>
    public IReadOnlyList<string> ValuesOf(string option) => OptionValues?.GetValueOrDefault(option) ?? [];

    /// <summary>Options this model does not take at all (e.g. <c>seed</c> on a model without seeds).</summary>
    public IReadOnlyList<string>? UnsupportedOptions { get; init; }
}

/// <summary>Where a composer shows an option: at once, under "More options", or only through the API (transport and editing fields).</summary>
public enum OptionPlacement { Main, More, ApiOnly }

/// <summary>A named value of an option (a moodboard's id and name).</summary>
public sealed record OptionChoice(string Value, string Label);

public enum OptionKind { Enum, Int, Number, Bool, String, StringList }

/// <summary>
/// One provider-specific option, under the provider's own field name. Every text and list option has a bound:
/// <see cref="MaxLength"/> is the longest text (for a list: the longest item), <see cref="MaxItems"/> the longest
/// list (a model may lower it, e.g. Kolbo's <c>max_reference_images</c>).
/// </summary>
public sealed record OptionDescriptor(
    string Name,
    OptionKind Kind,
    string Label,
    string Description,
    IReadOnlyList<string>? AllowedValues = null,
    decimal? Min = null,
    decimal? Max = null,
    string? Default = null,
    int? MaxLength = null,
    int? MaxItems = null,
    bool ItemsAreUrls = false,
    OptionPlacement Placement = OptionPlacement.Main);
