namespace ImageHub.Web.Infrastructure;

/// <summary>
/// Headers every response carries. The CSP allows what Blazor Server (its script and its WebSocket) and
/// MudBlazor (its css/js from _content, inline styles on components) need, and nothing from elsewhere.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, Microsoft.Extensions.Options.IOptions<Features.Account.OidcOptions> oidc)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; " +
        "script-src 'self'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; " +
        "font-src 'self' data:; " +
        "connect-src 'self' ws: wss:; " +
        "frame-ancestors 'none'; " +
        "form-action 'self'; " +
        "base-uri 'self'; " +
        "object-src 'none'";

    /// <summary>
    /// The policy this app sends: with OpenID Connect sign-in on, the login button's form is redirected to the provider,
    /// which form-action must allow (Chromium checks redirects of a form submission too).
    /// </summary>
    private readonly string policy = oidc.Value.Enabled && Uri.TryCreate(oidc.Value.Authority.Trim(), UriKind.Absolute, out var authority)
        ? ContentSecurityPolicy.Replace("form-action 'self';", $"form-action 'self' {authority.GetLeftPart(UriPartial.Authority)};", StringComparison.Ordinal)
        : ContentSecurityPolicy;

    public Task InvokeAsync(HttpContext context)
    {
        // Public share links (/s/...): never indexed, never followed, and never leak their URL (which holds the token)
        // to another site. Read now: a re-executed status page runs under another path.
        var share = context.Request.Path.StartsWithSegments("/s");
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = share ? "no-referrer" : "strict-origin-when-cross-origin";
            if (share) headers["X-Robots-Tag"] = "noindex, nofollow";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
