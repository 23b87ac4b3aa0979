using System.Security.Claims;
using System.Text.Encodings.Web;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ImageHub.Web.Features.Api;

/// <summary>
/// <c>Authorization: Bearer ihp_…</c>: finds the token by its SHA-256, checks it is neither revoked nor expired and
/// that its user is still a member of its workspace, signs the request in as that user (with the token's scopes, which
/// <see cref="ApiScopeHandler"/> checks) and makes that workspace current.
/// Failures answer 401 with a problem body saying why (never echoing the token).
/// </summary>
public sealed class ApiTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AppDbContext db,
    CurrentWorkspace workspace,
    WorkspaceDirectory directory,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string TokenIdClaim = "imagehub:api_token";
    public const string ScopesClaim = "imagehub:api_scopes";

    private string? failure;

    public static bool IsTokenPrincipal(ClaimsPrincipal user) => user.HasClaim(c => c.Type == TokenIdClaim);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers[HeaderNames.Authorization];
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 200)
        {
            return Fail("The bearer token is empty or malformed. Make one at /settings/tokens.");
        }

        var hash = ApiTokenService.Hash(token);
        var row = await db.Set<ApiToken>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .FirstOrDefaultAsync(t => t.Hash == hash, Context.RequestAborted);
        if (row is null) return Fail("The API token is not known. Check it, or make a new one at /settings/tokens.");
        var now = time.GetUtcNow();
        if (ApiToken.Unusable(row.RevokedAt, row.ExpiresAt, now) is { } unusable) return Fail(unusable + " Make a new one at /settings/tokens.");
        var membership = await directory.ResolveAsync(row.UserId, row.WorkspaceId, Context.RequestAborted);
        if (membership is null) return Fail("The API token's owner is no longer a member of its workspace.");

        workspace.Set(membership.WorkspaceId, membership.Role, membership.WorkspaceName, row.UserId);
        var stale = now - TimeSpan.FromMinutes(1);
        if (row.LastUsedAt is null || row.LastUsedAt < stale)
        {
            // At most one write a minute per token: an UPDATE takes SQLite's write lock even when it matches nothing,
            // and every API request would then queue behind the job worker's writes.
            await db.Set<ApiToken>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
                .Where(t => t.Id == row.Id && (t.LastUsedAt == null || t.LastUsedAt < stale))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, row.UserId.ToString()),
            new Claim(TokenIdClaim, row.Id.ToString()),
            new Claim(ScopesClaim, row.Scopes),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private AuthenticateResult Fail(string message)
    {
        failure = message;
        return AuthenticateResult.Fail(message);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var hasToken = Request.Headers.ContainsKey(HeaderNames.Authorization);
        if (!hasToken && !Request.Path.StartsWithSegments("/api")) return; // the cookie scheme sends browsers to the login page
        if (Response.HasStarted) return;
        Response.Headers.Remove(HeaderNames.Location);
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Not signed in",
            failure ?? "Send Authorization: Bearer <token> (make one at /settings/tokens), or sign in.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (Response.HasStarted || !(Request.Path.StartsWithSegments("/api") || IsTokenPrincipal(Context.User))) return;
        Response.Headers.Remove(HeaderNames.Location);
        var detail = Context.Items[ApiScopeHandler.RefusalKey] as string
            ?? (workspace.IsSet ? "Your role in this workspace does not allow this." : "You are not a member of any workspace yet: create one or accept an invite.");
        await WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", detail);
    }

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(Context);
    }
}
