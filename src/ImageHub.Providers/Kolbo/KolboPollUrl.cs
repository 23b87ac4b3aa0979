namespace ImageHub.Providers.Kolbo;

/// <summary>
/// Resolves Kolbo's <c>poll_url</c>. The seed page's form "/v1/generate/{id}/status" is joined to the base that
/// ends in "/api"; the newer docs' "/api/v1/generate/{id}/status" is already rooted (and under a path prefix,
/// e.g. a sandbox mounted at /sandbox/kolbo/api, both resolve under that prefix). An absolute URL is used only
/// when it is on the base's own origin: the key is never sent to another host; otherwise the documented
/// status path is built from the generation id.
/// </summary>
public static class KolboPollUrl
{
    public static Uri Resolve(Uri baseUrl, string? pollUrl, string generationId)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var fallback = new Uri(ProviderEndpointOptions.WithTrailingSlash(baseUrl), $"v1/generate/{Uri.EscapeDataString(generationId)}/status");
        if (string.IsNullOrWhiteSpace(pollUrl)) return fallback;
        pollUrl = pollUrl.Trim();

        if (Uri.TryCreate(pollUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            return SameOrigin(absolute, baseUrl) ? absolute : fallback;
        }

        var origin = new Uri(baseUrl.GetLeftPart(UriPartial.Authority) + "/");
        var basePath = baseUrl.AbsolutePath.TrimEnd('/');              // "/api" or "/sandbox/kolbo/api"
        if (!pollUrl.StartsWith('/'))
        {
            return new Uri(ProviderEndpointOptions.WithTrailingSlash(baseUrl), pollUrl);
        }
        if (basePath.Length > 0 && pollUrl.StartsWith(basePath + "/", StringComparison.Ordinal))
        {
            return new Uri(origin, pollUrl);                            // already rooted at the base's path
        }
        if (basePath.EndsWith("/api", StringComparison.Ordinal) && pollUrl.StartsWith("/api/", StringComparison.Ordinal))
        {
            return new Uri(origin, basePath[..^"/api".Length] + pollUrl); // "/api/v1/..." under a prefix
        }
        return new Uri(origin, basePath + pollUrl);                     // "/v1/..." relative to the base
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}
