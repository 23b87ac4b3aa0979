using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Sharing;

/// <summary>What a member asks for when sharing: some images or a board, and the link's options.</summary>
public sealed record ShareDraft(
    IReadOnlyList<Guid>? ImageIds, Guid? BoardId, DateTimeOffset? ExpiresAt, string? Password, bool AllowDownload, bool ShowPrompt);

/// <summary>A new link: its id and its token (shown once here; members can copy it again from the links page).</summary>
public sealed record CreatedShare(Guid Id, string Token, DateTimeOffset? ExpiresAt);

/// <summary>A link as the links page and <c>GET /api/v1/shares</c> show it.</summary>
public sealed record ShareView(
    Guid Id, string Token, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt,
    bool HasPassword, bool AllowDownload, bool ShowPrompt, Guid? BoardId, string? BoardName, int Images, int Views, DateTimeOffset? LastViewedAt)
{
    public string Path => SharePaths.Page(Token);
    public bool IsLive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } e || e > now);
}

/// <summary>The share's URLs (a token is base64url, safe in a path as it is).</summary>
public static class SharePaths
{
    public static string Page(string token) => $"/s/{token}";
    public static string Image(string token, int number) => $"/s/{token}/images/{number}";
    public static string Thumbnail(string token, int number) => $"/s/{token}/images/{number}/thumb";
    public static string Download(string token, int number) => $"/s/{token}/images/{number}/download";
}

/// <summary>The link's secret: 192 random bits in base64url; found again by its SHA-256 alone.</summary>
public static class ShareTokens
{
    public const int RandomBytes = 24;
    public const int Length = 32; // base64url of 24 bytes, no padding

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));

    /// <summary>The hash the link is stored under. Any text hashes (a forged token costs the same lookup as a real one).</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token.Length > 256 ? token[..256] : token));
}

/// <summary>
/// Creating, listing and revoking links, in the current workspace; creating and revoking are audited.
/// </summary>
public sealed class ShareService(IDbContextFactory<AppDbContext> contexts, IDataProtectionProvider protection, TimeProvider time, ILogger<ShareService> logger)
{
    private readonly IDataProtector tokens = protection.CreateProtector("ImageHub.Sharing.Token");
    private static readonly PasswordHasher<ShareLink> Hasher = new();

    public async Task<Outcome<CreatedShare>> CreateAsync(Guid userId, string? remoteAddress, ShareDraft draft, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var errors = new List<FieldError>();
        var imageIds = draft.ImageIds?.Distinct().ToList();
        if ((imageIds is null || imageIds.Count == 0) == (draft.BoardId is null))
        {
            errors.Add(new FieldError(draft.BoardId is null ? "imageIds" : "boardId", "Share either some images (imageIds) or a board (boardId), not both and not neither."));
        }
        if (imageIds is { Count: > ShareLink.MaxImages }) errors.Add(new FieldError("imageIds", $"A link holds at most {ShareLink.MaxImages} images; put more on a board and share the board."));
        if (draft.ExpiresAt is { } expires && expires <= now) errors.Add(new FieldError("expiresAt", "The expiry is in the past; pick a later time, or none for a link that lasts until revoked."));
        if (draft.Password is { } password && password.Length > 0 && password.Length < ShareLink.PasswordMinLength)
        {
            errors.Add(new FieldError("password", $"A link password has at least {ShareLink.PasswordMinLength} characters (this one has {password.Length}); or leave it empty."));
        }
        if (draft.Password is { Length: > ShareLink.PasswordMaxLength }) errors.Add(new FieldError("password", $"A link password has at most {ShareLink.PasswordMaxLength} characters."));
        if (errors.Count > 0) return Failure.Invalid(errors);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (imageIds is { Count: > 0 } && await db.Set<GeneratedImage>().CountAsync(i => imageIds.Contains(i.Id) && i.DeletedAt == null, cancellationToken) != imageIds.Count)
        {
            return Failure.NotFound("One of these images is not in this workspace (or is in the trash).");
        }
        if (draft.BoardId is { } boardId && !await db.Set<Board>().AnyAsync(b => b.Id == boardId, cancellationToken))
        {
            return Failure.NotFound("There is no such board in this workspace.");
        }

        var token = ShareTokens.New();
        var link = new ShareLink
        {
            TokenHash = ShareTokens.Hash(token),
            ProtectedToken = tokens.Protect(token),
            CreatedById = userId,
            CreatedAt = now,
            ExpiresAt = draft.ExpiresAt,
            PasswordHash = string.IsNullOrEmpty(draft.Password) ? null : Hasher.HashPassword(null!, draft.Password),
            AllowDownload = draft.AllowDownload,
            ShowPrompt = draft.ShowPrompt,
            BoardId = draft.BoardId,
        };
        db.Add(link);
        if (imageIds is { Count: > 0 })
        {
            db.AddRange(imageIds.Select((id, i) => new ShareLinkImage { ShareLinkId = link.Id, ImageId = id, Position = i }));
        }
        var what = draft.BoardId is null ? $"{imageIds!.Count} image(s)" : "a board";
        var options = string.Join(", ", new[]
        {
            link.ExpiresAt is { } e ? $"expires {e:yyyy-MM-dd HH:mm} UTC" : "no expiry",
            link.PasswordHash is null ? "no password" : "password",
            link.AllowDownload ? "download allowed" : "no download",
            link.ShowPrompt ? "prompt shown" : "prompt hidden",
        });
        db.Add(await AuditAsync(db, userId, remoteAddress, ShareAuditAction.Created, link.Id, $"{what}; {options}", cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Share link {ShareId} created by {UserId}", link.Id, userId);
        return Outcome<CreatedShare>.Ok(new CreatedShare(link.Id, token, link.ExpiresAt), "Link created.");
    }

    public async Task<IReadOnlyList<ShareView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await (from s in db.Set<ShareLink>().AsNoTracking()
                          join u in db.Users on s.CreatedById equals u.Id into users
                          from u in users.DefaultIfEmpty()
                          join b in db.Set<Board>() on s.BoardId equals b.Id into boards
                          from b in boards.DefaultIfEmpty()
                          orderby s.CreatedAt descending
                          select new
                          {
                              Link = s,
                              Email = u == null ? null : u.Email,
                              BoardName = b == null ? null : b.Name,
                              Images = s.BoardId == null
                                  ? db.Set<ShareLinkImage>().Count(i => i.ShareLinkId == s.Id)
                                  : db.Set<BoardImage>().Count(i => i.BoardId == s.BoardId),
                          }).Take(500).ToListAsync(cancellationToken);
        return rows.Select(r => new ShareView(
            r.Link.Id, Unprotect(r.Link.ProtectedToken), r.Link.CreatedAt, r.Email ?? "a former member", r.Link.ExpiresAt, r.Link.RevokedAt,
            r.Link.PasswordHash is not null, r.Link.AllowDownload, r.Link.ShowPrompt, r.Link.BoardId, r.BoardName, r.Images, r.Link.Views, r.Link.LastViewedAt)).ToList();
    }

    public async Task<Outcome> RevokeAsync(Guid userId, string? remoteAddress, Guid shareId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await db.Set<ShareLink>().FirstOrDefaultAsync(s => s.Id == shareId, cancellationToken);
        if (link is null) return Failure.NotFound("There is no such share link in this workspace.");
        if (link.RevokedAt is not null) return Outcome.Ok("The link was already revoked.");
        link.RevokedAt = time.GetUtcNow();
        db.Add(await AuditAsync(db, userId, remoteAddress, ShareAuditAction.Revoked, link.Id, null, cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Share link {ShareId} revoked by {UserId}", link.Id, userId);
        return Outcome.Ok("Link revoked: it no longer opens, nor do its images.");
    }

    /// <summary>The audit log of links, newest first.</summary>
    public async Task<IReadOnlyList<ShareAuditEntry>> AuditAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<ShareAuditEntry>().AsNoTracking().OrderByDescending(a => a.At).Take(500).ToListAsync(cancellationToken);
    }

    private string Unprotect(string protectedToken)
    {
        try
        {
            return tokens.Unprotect(protectedToken);
        }
        catch (CryptographicException)
        {
            return ""; // the key ring lost its key: the link still works for whoever holds it, it just cannot be copied here
        }
    }

    private async Task<ShareAuditEntry> AuditAsync(AppDbContext db, Guid userId, string? remoteAddress, ShareAuditAction action, Guid shareId, string? detail, CancellationToken cancellationToken)
    {
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
        return new ShareAuditEntry(new AuditActor(userId, remoteAddress), email ?? "", time.GetUtcNow())
        {
            Action = action,
            ShareLinkId = shareId,
            Detail = detail,
        };
    }

    /// <summary>True when <paramref name="password"/> is the link's.</summary>
    internal static bool PasswordMatches(ShareLink link, string password) =>
        link.PasswordHash is { } hash && Hasher.VerifyHashedPassword(link, hash, password) != PasswordVerificationResult.Failed;
}

/// <summary>
/// Wrong link passwords per (client address, link): after 5 within a minute, further attempts are refused (429)
/// until the oldest falls out of the minute. Nothing is permanent, and one address's failures lock out nobody else.
/// </summary>
public sealed class ShareUnlockThrottle(TimeProvider time)
{
    public const int FailuresPerMinute = 5;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string, Guid), Queue<DateTimeOffset>> failures = new();

    /// <summary>How long until another attempt is allowed (null: now).</summary>
    public TimeSpan? RetryAfter(string address, Guid shareId)
    {
        if (!failures.TryGetValue((address, shareId), out var queue)) return null;
        lock (queue)
        {
            var now = time.GetUtcNow();
            while (queue.Count > 0 && queue.Peek() <= now - Window) queue.Dequeue();
            return queue.Count >= FailuresPerMinute ? queue.Peek() + Window - now : null;
        }
    }

    public void Fail(string address, Guid shareId)
    {
        var queue = failures.GetOrAdd((address, shareId), _ => new Queue<DateTimeOffset>());
        lock (queue) queue.Enqueue(time.GetUtcNow());
        if (failures.Count > 10_000) Sweep();
    }

    private void Sweep()
    {
        var cutoff = time.GetUtcNow() - Window;
        foreach (var (key, queue) in failures)
        {
            lock (queue)
            {
                if (queue.Count == 0 || queue.Last() <= cutoff) failures.TryRemove(key, out _);
            }
        }
    }
}
