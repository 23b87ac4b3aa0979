using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Infrastructure.Images;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace ImageHub.Web.Features.Sharing;

/// <summary>
/// The public side of share links: <c>/s/{token}</c> (a small static HTML page, no Blazor, no script), the images
/// under it, and <c>POST /s/{token}/unlock</c>. Anonymous; every answer goes through the same check of the link
/// (live, and unlocked when it has a password). An unknown token is a 404 after the same hash and lookup as a real
/// one; a revoked or expired link is a 410. The headers every /s/ response carries are set by
/// <see cref="Infrastructure.SecurityHeadersMiddleware"/>.
/// </summary>
public static class SharePublicEndpoints
{
    public const string UnlockCookie = "ih_share";
    private static readonly TimeSpan UnlockLifetime = TimeSpan.FromHours(12);

    public static IEndpointRouteBuilder MapSharePublicEndpoints(this IEndpointRouteBuilder app)
    {
        var share = app.MapGroup("/s/{token}").AllowAnonymous().ExcludeFromDescription();
        share.MapGet("", PageAsync);
        share.MapPost("/unlock", UnlockAsync).DisableAntiforgery(); // unlocking someone else's browser gains nothing
        share.MapGet("/images/{number:int}", (string token, int number, HttpContext http, ShareAccess access, ImageStore store) => ImageAsync(token, number, ImageVariant.Full, http, access, store));
        share.MapGet("/images/{number:int}/thumb", (string token, int number, HttpContext http, ShareAccess access, ImageStore store) => ImageAsync(token, number, ImageVariant.Thumbnail, http, access, store));
        share.MapGet("/images/{number:int}/download", (string token, int number, HttpContext http, ShareAccess access, ImageStore store) => ImageAsync(token, number, ImageVariant.Download, http, access, store));
        return app;
    }

    private enum ImageVariant { Full, Thumbnail, Download }

    private static async Task<IResult> PageAsync(string token, HttpContext http, ShareAccess access)
    {
        var ct = http.RequestAborted;
        var (state, link) = await access.ResolveAsync(token, ct);
        if (state != ShareState.Live) return Closed(state);
        if (link!.PasswordHash is not null && !IsUnlocked(http, link)) return Html(PasswordPage(token, null), StatusCodes.Status200OK);
        var images = await access.ImagesAsync(link, ct);
        await access.CountViewAsync(link.Id, ct);
        return Html(SharedPage(http, token, link, images), StatusCodes.Status200OK);
    }

    private static async Task<IResult> UnlockAsync(string token, HttpContext http, ShareAccess access, ShareUnlockThrottle throttle)
    {
        var ct = http.RequestAborted;
        var (state, link) = await access.ResolveAsync(token, ct);
        if (state != ShareState.Live) return Closed(state);
        if (link!.PasswordHash is null) return Results.Redirect(SharePaths.Page(token), preserveMethod: false);
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.RetryAfter(address, link.Id) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Html(PasswordPage(token, "Too many wrong passwords from here. Wait a minute, then try again."), StatusCodes.Status429TooManyRequests);
        }
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var password = form?["password"].ToString() ?? "";
        if (!ShareService.PasswordMatches(link, password))
        {
            throttle.Fail(address, link.Id);
            return Html(PasswordPage(token, "That password is not right."), StatusCodes.Status401Unauthorized);
        }
        var protector = Protector(http).ToTimeLimitedDataProtector();
        http.Response.Cookies.Append(UnlockCookie, protector.Protect(link.Id.ToString("N"), UnlockLifetime), new CookieOptions
        {
            Path = SharePaths.Page(token), // this link only
            HttpOnly = true,
            SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            MaxAge = UnlockLifetime,
        });
        return Results.Redirect(SharePaths.Page(token), preserveMethod: false);
    }

    private static async Task<IResult> ImageAsync(string token, int number, ImageVariant variant, HttpContext http, ShareAccess access, ImageStore store)
    {
        var ct = http.RequestAborted;
        var (state, link) = await access.ResolveAsync(token, ct);
        if (state != ShareState.Live) return Closed(state);
        if (link!.PasswordHash is not null && !IsUnlocked(http, link)) return Closed(ShareState.Unknown);
        if (variant == ImageVariant.Download && !link.AllowDownload) return Closed(ShareState.Unknown);
        var images = await access.ImagesAsync(link, ct);
        if (number < 1 || number > images.Count) return Closed(ShareState.Unknown);
        var image = images[number - 1].Image;
        var thumbnail = variant == ImageVariant.Thumbnail;

        Stream? stream;
        string contentType;
        if (link.ShowPrompt)
        {
            stream = thumbnail ? await store.OpenThumbnailAsync(image.Sha256, image.ContentType, ct) : null;
            contentType = stream is null ? image.ContentType : "image/webp";
            stream ??= store.OpenImage(image.Sha256, image.ContentType);
        }
        else if (await store.OpenStrippedAsync(image.Sha256, image.ContentType, thumbnail, ct) is { } stripped)
        {
            (stream, contentType) = stripped;
        }
        else
        {
            stream = null;
            contentType = image.ContentType;
        }
        if (stream is null) return Closed(ShareState.Unknown);

        // The name says which image of the link it is, nothing else (never the prompt).
        var name = $"image-{number}{Extension(contentType)}";
        http.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue(variant == ImageVariant.Download ? "attachment" : "inline") { FileName = name }.ToString();
        http.Response.Headers.CacheControl = "private, no-store"; // a revoke takes effect at once
        return Results.Stream(stream, contentType);
    }

    private static IDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector("ImageHub.Sharing.Unlock");

    private static bool IsUnlocked(HttpContext http, ShareLink link)
    {
        if (http.Request.Cookies[UnlockCookie] is not { Length: > 0 } cookie) return false;
        try
        {
            return Protector(http).ToTimeLimitedDataProtector().Unprotect(cookie) == link.Id.ToString("N");
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static string Extension(string contentType) => contentType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        _ => "",
    };

    private static IResult Closed(ShareState state) => state == ShareState.Gone
        ? Html(Message("This link has expired or was revoked", "Ask whoever sent it for a new one."), StatusCodes.Status410Gone)
        : Html(Message("There is nothing here", "This link does not exist. Check that it was copied whole."), StatusCodes.Status404NotFound);

    private static IResult Html(string html, int status) => Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);

    private static string E(string text) => HtmlEncoder.Default.Encode(text);

    private const string Style = """
        :root{color-scheme:light dark;--bg:#f5f5f5;--fg:#1f1f1f;--card:#fff;--muted:#5f6368;--accent:#594ae2}
        @media (prefers-color-scheme:dark){:root{--bg:#1a1a27;--fg:#e8e8ef;--card:#27273a;--muted:#b0b0c0;--accent:#9d95f0}}
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
        header{padding:16px 20px;font-weight:600}main{max-width:1200px;margin:0 auto;padding:0 16px 32px}
        h1{font-size:1.4rem;margin:8px 0 16px}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:16px}
        figure{margin:0;background:var(--card);border-radius:8px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.2)}
        figure img{display:block;width:100%;height:auto;background:#0001}.single{grid-template-columns:minmax(0,1fr);max-width:min(900px,100%)}
        .single img{max-height:80vh;object-fit:contain}figcaption{padding:10px 12px;font-size:.9rem;overflow-wrap:anywhere}
        .meta{color:var(--muted);font-size:.8rem}a{color:var(--accent)}.actions{padding:0 12px 12px}
        form{background:var(--card);padding:20px;border-radius:8px;max-width:360px}label{display:block;margin-bottom:8px}
        input{width:100%;padding:10px;font:inherit;border:1px solid var(--muted);border-radius:4px;background:var(--bg);color:var(--fg)}
        button{margin-top:12px;padding:10px 16px;font:inherit;border:0;border-radius:4px;background:var(--accent);color:#fff;cursor:pointer}
        .error{color:#d32f2f}@media (prefers-color-scheme:dark){.error{color:#ff8a80}}
        """;

    private static string Document(string title, string head, string body) => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
        <title>{E(title)}</title><link rel="icon" type="image/svg+xml" href="/favicon.svg">{head}<style>{Style}</style></head>
        <body><header>ImageHub</header><main>{body}</main></body></html>
        """;

    private static string Message(string title, string text) => Document(title, "", $"<h1>{E(title)}</h1><p>{E(text)}</p>");

    private static string PasswordPage(string token, string? error) => Document("A password protects this link", "",
        $"""
        <h1>A password protects this link</h1>
        <form method="post" action="{E(SharePaths.Page(token))}/unlock">
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
        {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{E(error)}</p>")}
        <button type="submit">Open</button></form>
        """);

    private static string SharedPage(HttpContext http, string token, ShareLink link, IReadOnlyList<SharedImage> images)
    {
        var origin = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        var title = images.Count == 1 ? "An image shared from ImageHub" : $"{images.Count} images shared from ImageHub";
        var head = new StringBuilder();
        head.Append($"<meta property=\"og:type\" content=\"website\"><meta property=\"og:title\" content=\"{E(title)}\">");
        if (images.Count > 0 && link.PasswordHash is null)
        {
            // The preview for chat unfurls (a password link has none: its images need the password).
            head.Append($"<meta property=\"og:image\" content=\"{E(origin + SharePaths.Thumbnail(token, 1))}\"><meta name=\"twitter:card\" content=\"summary_large_image\">");
        }
        var body = new StringBuilder($"<h1>{E(title)}</h1>");
        if (images.Count == 0) body.Append("<p>There are no images on this link any more.</p>");
        var single = images.Count == 1; // one image is shown large, from the full file
        body.Append(single ? "<div class=\"grid single\">" : "<div class=\"grid\">");
        for (var i = 0; i < images.Count; i++)
        {
            var number = i + 1;
            var shared = images[i];
            body.Append($"<figure data-testid=\"shared-image\"><a href=\"{E(SharePaths.Image(token, number))}\"><img src=\"{E(single ? SharePaths.Image(token, number) : SharePaths.Thumbnail(token, number))}\" alt=\"Image {number}\" width=\"{shared.Image.Width}\" height=\"{shared.Image.Height}\" loading=\"lazy\"></a>");
            if (link.ShowPrompt || link.AllowDownload)
            {
                body.Append("<figcaption>");
                if (link.ShowPrompt)
                {
                    body.Append($"<div data-testid=\"shared-prompt\">{E(shared.Prompt)}</div><div class=\"meta\">{E(shared.ProviderName)}{(shared.Model is { } m ? " · " + E(m) : "")} · {shared.Image.Width} × {shared.Image.Height}</div>");
                    foreach (var (name, value) in shared.Options) body.Append($"<div class=\"meta\">{E(name)}: {E(value)}</div>");
                }
                if (link.AllowDownload) body.Append($"<div><a href=\"{E(SharePaths.Download(token, number))}\" download>Download</a></div>");
                body.Append("</figcaption>");
            }
            body.Append("</figure>");
        }
        body.Append("</div>");
        return Document(title, head.ToString(), body.ToString());
    }
}

public enum ShareState { Unknown, Gone, Live }

/// <summary>An image of a link, with what the page may show of its generation.</summary>
public sealed record SharedImage(GeneratedImage Image, string Prompt, string ProviderName, string? Model, IReadOnlyList<(string Name, string Value)> Options);

/// <summary>Finds a link by its token, outside any workspace (the token is the authority), and what it shows.</summary>
public sealed class ShareAccess(IDbContextFactory<AppDbContext> contexts, TimeProvider time, ImageHub.Providers.IProviderRegistry providers)
{
    public async Task<(ShareState State, ShareLink? Link)> ResolveAsync(string token, CancellationToken cancellationToken)
    {
        // Always the same work: hash whatever came, one indexed lookup. A malformed token is not answered sooner.
        var hash = ShareTokens.Hash(token ?? "");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await db.Set<ShareLink>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .FirstOrDefaultAsync(s => s.TokenHash == hash, cancellationToken);
        if (link is null) return (ShareState.Unknown, null);
        return link.IsLive(time.GetUtcNow()) ? (ShareState.Live, link) : (ShareState.Gone, link);
    }

    /// <summary>The link's images in order, leaving out any in the trash.</summary>
    public async Task<IReadOnlyList<SharedImage>> ImagesAsync(ShareLink link, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var images = db.Set<GeneratedImage>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .Where(i => i.WorkspaceId == link.WorkspaceId && i.DeletedAt == null);
        var generations = db.Set<Generation>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]);
        var rows = link.BoardId is { } boardId
            ? await (from b in db.Set<BoardImage>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
                     where b.BoardId == boardId && b.WorkspaceId == link.WorkspaceId
                     join i in images on b.ImageId equals i.Id
                     join g in generations on i.GenerationId equals g.Id
                     orderby b.AddedAt, i.Id
                     select new { Image = i, g.Prompt, g.ProviderId, g.Model, g.OptionsJson }).Take(ShareLink.MaxImages * 5).ToListAsync(cancellationToken)
            : await (from s in db.Set<ShareLinkImage>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
                     where s.ShareLinkId == link.Id
                     join i in images on s.ImageId equals i.Id
                     join g in generations on i.GenerationId equals g.Id
                     orderby s.Position
                     select new { Image = i, g.Prompt, g.ProviderId, g.Model, g.OptionsJson }).ToListAsync(cancellationToken);
        return rows.Select(r => new SharedImage(r.Image, r.Prompt,
            providers.TryGet(r.ProviderId, out var p) ? p.DisplayName : r.ProviderId, r.Model, Options(r.OptionsJson))).ToList();
    }

    public async Task CountViewAsync(Guid shareId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Set<ShareLink>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).Where(s => s.Id == shareId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Views, s => s.Views + 1).SetProperty(s => s.LastViewedAt, now), cancellationToken);
    }

    private static List<(string, string)> Options(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? doc.RootElement.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText())).ToList()
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
