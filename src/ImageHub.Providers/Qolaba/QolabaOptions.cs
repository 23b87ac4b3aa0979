namespace ImageHub.Providers.Qolaba;

/// <summary><c>Providers:Qolaba</c>.</summary>
public sealed class QolabaOptions() : ProviderEndpointOptions("https://api.platform.qolaba.ai/")
{
    public const string SectionName = "Providers:Qolaba";

    /// <summary>"X-API-Key" (the quick-start's header, default) or "Bearer" (<c>Authorization: Bearer</c>, the header tables').</summary>
    public string AuthHeader { get; set; } = "X-API-Key";

    /// <summary>Model ids used before the list has been fetched with a key (the known vertex/* ids).</summary>
    public List<string>? FallbackModels { get; set; }

    public IReadOnlyList<string> EffectiveFallbackModels => FallbackModels is { Count: > 0 } ? FallbackModels : KnownModels;

    public static IReadOnlyList<string> KnownModels { get; } =
        ["vertex/nano-banana-flash", "vertex/nano-banana-pro", "vertex/imagen-4", "vertex/imagen-4-fast", "vertex/imagen-4-ultra"];

    public const decimal UsdPerCredit = 0.005m;
}
