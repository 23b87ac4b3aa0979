using System.Security.Cryptography;
using System.Text;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Api;

/// <summary>What the settings page lists: never the token, only its prefix.</summary>
public sealed record ApiTokenView(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>The result of making a token: <see cref="Token"/> is shown once and never stored.</summary>
public sealed record CreatedApiToken(ApiTokenView View, string Token);

/// <summary>Personal access tokens of the signed-in user in the current workspace (each call with a context of its own: the settings page's circuit reaches it).</summary>
public sealed class ApiTokenService(IDbContextFactory<AppDbContext> contexts, CurrentWorkspace workspace, TimeProvider time)
{
    public const string TokenPrefix = "ihp_";

    public async Task<Outcome<CreatedApiToken>> CreateAsync(Guid userId, string? name, CancellationToken ct = default)
    {
        if (!workspace.IsSet) return Failure.Invalid("workspace", "Pick or create a workspace first: a token works in one workspace.");
        name = name?.Trim() ?? "";
        if (name.Length == 0) return Failure.Invalid("name", "Give the token a name, e.g. the script that will use it.");
        if (name.Length > ApiToken.NameMaxLength) return Failure.Invalid("name", $"The name is {name.Length} characters; at most {ApiToken.NameMaxLength}.");

        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var row = new ApiToken
        {
            WorkspaceId = workspace.Id,
            UserId = userId,
            Name = name,
            Hash = Hash(token),
            Prefix = token[..10],
            CreatedAt = time.GetUtcNow(),
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
        return Outcome.Ok("Token revoked.");
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static ApiTokenView View(ApiToken t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
