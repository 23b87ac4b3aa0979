namespace ImageHub.Providers.Coals;

/// <summary><c>Providers:Coals</c>. GraphiCoal has one model (FLUX); its price is data.</summary>
public sealed class CoalsOptions() : ProviderEndpointOptions("https://coals.ai/api/v1/graphicoal/")
{
    public const string SectionName = "Providers:Coals";

    /// <summary>Null or empty: one "flux" model at 2 credits per call (Coals' documentation).</summary>
    public List<CoalsModelOptions>? Models { get; set; }

    public IReadOnlyList<CoalsModelOptions> EffectiveModels => Models is { Count: > 0 } ? Models : [new CoalsModelOptions()];

    public const decimal UsdPerCredit = 0.01m;
}

public sealed class CoalsModelOptions
{
    public string Id { get; set; } = "flux";
    public string Name { get; set; } = "FLUX";
    public decimal CreditsPerCall { get; set; } = 2;
}
