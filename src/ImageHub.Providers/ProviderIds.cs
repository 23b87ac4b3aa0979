namespace ImageHub.Providers;

/// <summary>The stable ids of the providers ImageHub speaks to.</summary>
public static class ProviderIds
{
    public const string Koala = "koala";
    public const string Qolaba = "qolaba";
    public const string Coals = "coals";
    public const string Kolbo = "kolbo";

    public static readonly IReadOnlyList<string> All = [Koala, Qolaba, Coals, Kolbo];
}
