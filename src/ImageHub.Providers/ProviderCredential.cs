namespace ImageHub.Providers;

/// <summary>
/// A provider API key on its way to the wire. Its <see cref="ToString"/> masks the key (last 4 characters
/// only), so a credential that ends up in a log line, an exception message or an interpolated string
/// never leaks the secret. Only the clients read <see cref="Reveal"/>.
/// </summary>
public sealed class ProviderCredential
{
    private readonly string _apiKey;

    public ProviderCredential(string apiKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        _apiKey = apiKey.Trim();
    }

    /// <summary>The masked form shown to people: "••••abcd".</summary>
    public string Masked => Mask(_apiKey);

    /// <summary>The raw key. Call it only to put the key on the wire.</summary>
    public string Reveal() => _apiKey;

    public override string ToString() => Masked;

    public static string Mask(string? key) =>
        string.IsNullOrEmpty(key) ? "(none)" : key.Length <= 8 ? "••••" : "••••" + key[^4..];

    /// <summary>Replaces every occurrence of the key in <paramref name="text"/> (providers sometimes echo it).</summary>
    internal string Scrub(string text) =>
        string.IsNullOrEmpty(text) ? text : text.Replace(_apiKey, Masked, StringComparison.Ordinal);
}
