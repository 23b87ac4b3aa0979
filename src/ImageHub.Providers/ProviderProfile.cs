namespace ImageHub.Providers;

/// <summary>
/// What holds for a provider whatever the key, known without a network call: its name, whether a key can be
/// checked (and, when not, why), what one of its credits costs in USD where it says so, what sending no model
/// means, and whether the hub prices its generations itself. The hub reads this instead of knowing providers.
/// </summary>
public sealed record ProviderProfile(
    string Id,
    string DisplayName,
    bool CanCheckKeys,
    string KeyCheckNote,
    decimal? UsdPerCredit)
{
    /// <summary>What choosing no model is called when the provider picks one itself ("Smart Select"); null when no model means the default model.</summary>
    public string? NoModelLabel { get; init; }

    /// <summary>
    /// True when the provider reports no cost, so the hub charges its price table per model (credits per image,
    /// which a workspace admin may override); false when the provider's own report settles the ledger.
    /// </summary>
    public bool ChargedByPriceTable { get; init; }

    /// <summary>"Smart Select" or "provider default": how a generation sent without a model is described.</summary>
    public string NoModelText => NoModelLabel ?? "provider default";

    /// <summary>The estimate's words when no price is known up front.</summary>
    public string UnknownPriceText(bool modelChosen) =>
        !modelChosen && NoModelLabel is not null ? $"{NoModelLabel}: {DisplayName} reports the price" : "price reported after the run";
}
