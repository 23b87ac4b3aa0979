namespace ImageHub.Providers.Koala;

/// <summary><c>Providers:Koala</c>. The model list and its prices are data (PROVIDERS.md), overridable here.</summary>
public sealed class KoalaOptions() : ProviderEndpointOptions("https://koala.sh/")
{
    public const string SectionName = "Providers:Koala";

    /// <summary>Null or empty: the documented models and credit prices (<see cref="DocumentedModels"/>).</summary>
    public List<KoalaModelOptions>? Models { get; set; }

    /// <summary>Sent when the request names no model, so the price is known (Koala's own default changed over time).</summary>
    public string DefaultModel { get; set; } = "standard";

    public IReadOnlyList<KoalaModelOptions> EffectiveModels => Models is { Count: > 0 } ? Models : DocumentedModels;

    public static IReadOnlyList<KoalaModelOptions> DocumentedModels { get; } =
    [
        new() { Id = "standard", Name = "Standard", CreditsPerImage = 1, Deprecated = true },
        new() { Id = "premium", Name = "Premium (Professional plan)", CreditsPerImage = 5, Premium = true, Deprecated = true },
        new()
        {
            Id = "gpt-image-2", Name = "GPT Image 2", CreditsPerImage = 8, DefaultQuality = "medium",
            CreditsByQuality = new() { ["fast"] = 1, ["medium"] = 8, ["high"] = 20 },
        },
        new() { Id = "ideogram-3.0", Name = "Ideogram 3.0", CreditsPerImage = 3 },
        new() { Id = "nano-banana-2", Name = "Nano Banana 2", CreditsPerImage = 5, Premium = true },
    ];
}

public sealed class KoalaModelOptions
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public decimal CreditsPerImage { get; set; } = 1;

    /// <summary>For models priced by <c>quality</c> (gpt-image-2: fast 1, medium 8, high 20).</summary>
    public Dictionary<string, decimal>? CreditsByQuality { get; set; }

    /// <summary>Sent when the request names no quality for a model priced by quality (always sent, so the price is known).</summary>
    public string? DefaultQuality { get; set; }

    /// <summary>Premium-class: needs the Professional plan (else Koala answers 403).</summary>
    public bool Premium { get; set; }

    public bool Deprecated { get; set; }
}
