namespace ImageHub.Web.Features.Account;

/// <summary>Where the account pages may send someone after they log in or register: a path on this site, else "/".</summary>
public static class LocalUrl
{
    /// <summary>
    /// <paramref name="url"/> when it is a path on this site ("/gallery", "/invite/abc?x=1"); "/" for anything else:
    /// other sites ("//evil.com", "/\evil.com", "https://evil.com"), schemes ("javascript:"), backslashes, control
    /// characters, relative paths. The same rule as ASP.NET Core's Url.IsLocalUrl, without "~/".
    /// </summary>
    public static string OrRoot(string? url) => IsLocal(url) ? url! : "/";

    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url[0] != '/') return false;
        if (url.Length > 1 && (url[1] == '/' || url[1] == '\\')) return false;
        if (url.StartsWith("/%2f", StringComparison.OrdinalIgnoreCase) || url.StartsWith("/%5c", StringComparison.OrdinalIgnoreCase)) return false; // "//" or "/\" once decoded
        foreach (var c in url)
        {
            if (c == '\\' || char.IsControl(c) || char.IsWhiteSpace(c)) return false;
        }
        return true;
    }
}
