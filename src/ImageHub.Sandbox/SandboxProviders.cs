namespace ImageHub.Sandbox;

/// <summary>
/// The provider ids the sandbox answers for. Kept here on purpose: the sandbox is the other side of
/// the wire and does not reference ImageHub.Providers.
/// </summary>
public static class SandboxProviders
{
    public const string Koala = "koala";
    public const string Qolaba = "qolaba";
    public const string Coals = "coals";
    public const string Kolbo = "kolbo";

    public static IReadOnlyList<string> All { get; } = [Koala, Qolaba, Coals, Kolbo];

    public static bool IsKnown(string? provider) => provider is not null && All.Contains(provider);
}
