using System.Security.Cryptography;
using System.Text;
using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Api;

/// <summary>What the settings page lists: never the token, only its prefix.</summary>
public sealed record ApiTokenView(
    Guid Id, string Name, string Prefix, ApiScopes Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public bool IsRevoked => RevokedAt is not null;

    public bool IsExpired(DateTimeOffset now) => ExpiresAt <= now;
}

/// <summary>A token to make: its name, its scopes, and when it expires (null: never).</summary>
public sealed record ApiTokenDraft(string? Name, ApiScopes Scopes, DateTimeOffset? ExpiresAt);

/// <summary>The result of making a token: <see cref="Token"/> is shown once and never stored.</summary>
public sealed record CreatedApiToken(ApiTokenView View, string Token);

/// <summary>Personal access tokens of the signed-in user in the current workspace (each call with a context of its own: the settings page's circuit reaches it).</summary>
public sealed class ApiTokenService(IDbContextFactory<AppDbContext> contexts, CurrentWorkspace workspace, AccountSessions sessions, TimeProvider time)
{
    public const string TokenPrefix = "ihp_";

    /// <summary>How long a new token lasts unless its maker picks otherwise.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(90);

    /// <summary>What a new token may do unless its maker picks otherwise: run and read, not keys or administration.</summary>
    public const ApiScopes DefaultScopes = ApiScopes.Generate | ApiScopes.Read;

    /// <summary>A draft with the defaults: <see cref="DefaultScopes"/>, expiring after <see cref="DefaultLifetime"/>.</summary>
    public ApiTokenDraft Draft(string? name, ApiScopes scopes = DefaultScopes) => new(name, scopes, time.GetUtcNow() + DefaultLifetime);

    public async Task<Outcome<CreatedApiToken>> CreateAsync(Guid userId, ApiTokenDraft draft, CancellationToken ct = default)
    {
        if (!workspace.IsSet) return Failure.Invalid("workspace", "Pick or create a workspace first: a token works in one workspace.");
        var name = draft.Name?.Trim() ?? "";
        var errors = new List<FieldError>();
        if (name.Length == 0) errors.Add(new("name", "Give the token a name, e.g. the script that will use it."));
        if (name.Length > ApiToken.NameMaxLength) errors.Add(new("name", $"The name is {name.Length} characters; at most {ApiToken.NameMaxLength}."));
        if ((draft.Scopes & ApiScopes.All) == ApiScopes.None) errors.Add(new("scopes", "Pick at least one scope: what may this token do?"));
        var now = time.GetUtcNow();
        if (draft.ExpiresAt is { } expires && expires <= now) errors.Add(new("expiresAt", "The expiry is in the past; pick a later date, or no expiry."));
        if (errors.Count > 0) return Failure.Invalid(errors);

        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var row = new ApiToken
        {
            WorkspaceId = workspace.Id,
            UserId = userId,
            Name = name,
            Hash = Hash(token),
            Prefix = token[..10],
            Scopes = ApiScopeNames.Format(draft.Scopes & ApiScopes.All),
            CreatedAt = now,
            ExpiresAt = draft.ExpiresAt,
        };
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Add(row);
        await db.SaveChangesAsync(ct);
        return Outcome<CreatedApiToken>.Ok(new CreatedApiToken(View(row), token));
    }

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Set<ApiToken>().AsNoTracking().Where(t => t.UserId == userId).ToListAsync(ct);
        return rows.OrderByDescending(t => t.CreatedAt).Select(View).ToList();
    }

    /// <summary>Revokes one of the user's own tokens.</summary>
    public async Task<Outcome> RevokeAsync(Guid userId, Guid tokenId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Set<ApiToken>().FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, ct);
        if (row is null) return Failure.NotFound("You have no such token in this workspace.");
        row.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await sessions.TokenRevokedAsync(userId); // its open event streams end now, on every instance
        return Outcome.Ok("Token revoked.");
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static ApiTokenView View(ApiToken t) =>
        new(t.Id, t.Name, t.Prefix, ApiScopeNames.Parse(t.Scopes), t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
