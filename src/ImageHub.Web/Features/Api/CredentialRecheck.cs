using System.Security.Claims;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Api;

/// <summary>
/// Checks again, while a long request runs, that the credential it was authorised with still holds: an API token not
/// revoked nor expired, or a cookie whose account is enabled and whose security stamp is current (ending an account's
/// sessions changes it). A request is authorised once; a stream that lasts for hours asks this at each heartbeat.
/// </summary>
public sealed class CredentialRecheck(IDbContextFactory<AppDbContext> contexts, TimeProvider time, IOptions<IdentityOptions> identity)
{
    /// <summary>Why <paramref name="user"/> may no longer be served, or null while it may.</summary>
    public async Task<string?> RefusalAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (user.GetUserId() is not { } userId) return "You are signed out.";
        await using var db = await contexts.CreateDbContextAsync(ct);
        var account = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.DisabledAt, u.SecurityStamp }).FirstOrDefaultAsync(ct);
        if (account is null) return "Your account was deleted.";
        if (account.DisabledAt is not null) return "Your account was disabled.";

        if (user.FindFirstValue(ApiTokenAuthentication.TokenIdClaim) is { } tokenClaim)
        {
            if (!Guid.TryParse(tokenClaim, out var tokenId)) return "The API token is not known.";
            var token = await db.Set<ApiToken>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
                .Where(t => t.Id == tokenId).Select(t => new { t.RevokedAt, t.ExpiresAt }).FirstOrDefaultAsync(ct);
            return token is null ? "The API token is not known." : ApiToken.Unusable(token.RevokedAt, token.ExpiresAt, time.GetUtcNow());
        }
        return user.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType) is { } stamp && stamp != account.SecurityStamp
            ? "Your session ended: sign in again."
            : null;
    }
}
