using System.Data;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Admin;

/// <summary>Who acts in the admin console, and from where (recorded in the audit log).</summary>

public sealed record UserView(
    Guid Id, string Email, bool IsInstanceAdmin, int Workspaces, DateTimeOffset? LockedOutUntil, DateTimeOffset? DisabledAt,
    bool TwoFactorEnabled, DateTimeOffset CreatedAt)
{
    public bool IsDisabled => DisabledAt is not null;
}

public sealed record WorkspaceAdminView(Guid Id, string Name, int Members, IReadOnlyList<string> Owners, DateTimeOffset CreatedAt);

public sealed record AuditView(
    DateTimeOffset At, string ActorEmail, string? RemoteAddress, AdminAuditAction Action, string? TargetEmail, string? OldValue, string? NewValue);

/// <summary>One page of a listing, and how many rows match in all.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// The instance administrator's console: accounts and workspaces (searched, paged), the actions on accounts, the
/// registration mode, and the audit log every action writes. Pages guard it with the InstanceAdmin policy; every action
/// checks again that its actor is an enabled instance administrator at that moment.
/// </summary>
public sealed class AdminService(
    IDbContextFactory<AppDbContext> dbFactory,
    AccountService accounts,
    AccountSessions sessions,
    TimeProvider timeProvider,
    ILogger<AdminService> logger)
{
    public const int DefaultPageSize = 20;
    public const string LastAdminMessage =
        "This is the last instance administrator: promote another account first, so someone can still run this ImageHub.";

    public async Task<ListPage<UserView>> ListUsersAsync(string? search = null, int page = 1, int pageSize = DefaultPageSize, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Clamp(page, pageSize);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var members = db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]);
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToUpperInvariant();
            query = query.Where(u => u.NormalizedEmail!.Contains(term));
        }
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(u => new { u.Id, u.Email, u.IsInstanceAdmin, Workspaces = members.Count(m => m.UserId == u.Id), u.LockoutEnd, u.DisabledAt, u.TwoFactorEnabled, u.CreatedAt })
            .ToListAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var items = rows.Select(r => new UserView(r.Id, r.Email ?? "", r.IsInstanceAdmin, r.Workspaces, r.LockoutEnd > now ? r.LockoutEnd : null,
            r.DisabledAt, r.TwoFactorEnabled, r.CreatedAt)).ToList();
        return new ListPage<UserView>(items, total, page, pageSize);
    }

    public async Task<ListPage<WorkspaceAdminView>> ListWorkspacesAsync(string? search = null, int page = 1, int pageSize = DefaultPageSize, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Clamp(page, pageSize);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Workspaces.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLowerInvariant();
            query = query.Where(w => w.Name.ToLower().Contains(term));
        }
        var total = await query.CountAsync(cancellationToken);
        var workspaces = await query.OrderBy(w => w.Name).ThenBy(w => w.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var ids = workspaces.Select(w => w.Id).ToList();
        var memberships = await db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .Where(m => ids.Contains(m.WorkspaceId))
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.WorkspaceId, m.Role, u.Email })
            .ToListAsync(cancellationToken);
        var items = workspaces.Select(w =>
        {
            var mine = memberships.Where(m => m.WorkspaceId == w.Id).ToList();
            return new WorkspaceAdminView(w.Id, w.Name, mine.Count,
                mine.Where(m => m.Role == WorkspaceRole.Owner).Select(m => m.Email ?? "").Order(StringComparer.Ordinal).ToList(), w.CreatedAt);
        }).ToList();
        return new ListPage<WorkspaceAdminView>(items, total, page, pageSize);
    }

    public async Task<ListPage<AuditView>> ListAuditAsync(int page = 1, int pageSize = DefaultPageSize, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Clamp(page, pageSize);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Set<AdminAuditEntry>().AsNoTracking();
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new ListPage<AuditView>(
            rows.Select(a => new AuditView(a.At, a.ActorEmail, a.RemoteAddress, a.Action, a.TargetEmail, a.OldValue, a.NewValue)).ToList(), total, page, pageSize);
    }

    /// <summary>Disables (or enables) an account. Disabling ends its sessions at once and revokes its API tokens.</summary>
    public Task<Outcome> SetDisabledAsync(AuditActor actor, Guid userId, bool disabled, CancellationToken cancellationToken = default) =>
        ChangeAccountAsync(actor, userId, cancellationToken, async (db, user, at) =>
        {
            if (disabled == user.DisabledAt is not null) return Outcome.Ok(disabled ? $"{user.Email} is already disabled." : $"{user.Email} is already enabled.");
            if (disabled && user.Id == at.Actor.UserId) return Failure.Conflict("You cannot disable your own account. Ask another administrator.");
            if (disabled && user.IsInstanceAdmin && !await OtherActiveAdminExistsAsync(db, user.Id, cancellationToken)) return Failure.Conflict(LastAdminMessage);
            var old = user.DisabledAt is null ? "enabled" : "disabled";
            user.DisabledAt = disabled ? at.Now : null;
            if (disabled)
            {
                user.SecurityStamp = Guid.NewGuid().ToString(); // cookies on every instance stop at their next stamp check
                var revoked = await db.Set<Api.ApiToken>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
                    .Where(t => t.UserId == user.Id && t.RevokedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, at.Now), cancellationToken);
                Audit(db, at, AdminAuditAction.AccountDisabled, user, old, revoked == 0 ? "disabled" : $"disabled; {revoked} API token(s) revoked");
                return Outcome.Ok($"{user.Email} is disabled: signed out everywhere, {revoked} API token(s) revoked.");
            }
            Audit(db, at, AdminAuditAction.AccountEnabled, user, old, "enabled");
            return Outcome.Ok($"{user.Email} is enabled: they can sign in again (their revoked API tokens stay revoked).");
        }, after: disabled ? user => sessions.EndSessionsAsync(user.Id, user.SecurityStamp) : null);

    /// <summary>Lifts a lockout after failed sign-ins.</summary>
    public Task<Outcome> UnlockAsync(AuditActor actor, Guid userId, CancellationToken cancellationToken = default) =>
        ChangeAccountAsync(actor, userId, cancellationToken, (db, user, at) =>
        {
            if (!(user.LockoutEnd > at.Now)) return Task.FromResult(Outcome.Ok($"{user.Email} is not locked."));
            var old = $"locked until {user.LockoutEnd:yyyy-MM-dd HH:mm} UTC";
            user.LockoutEnd = null;
            user.AccessFailedCount = 0;
            Audit(db, at, AdminAuditAction.AccountUnlocked, user, old, "unlocked");
            return Task.FromResult(Outcome.Ok($"{user.Email} is unlocked."));
        });

    /// <summary>Makes an account an instance administrator, or no longer one (never the last enabled one).</summary>
    public Task<Outcome> SetInstanceAdminAsync(AuditActor actor, Guid userId, bool admin, CancellationToken cancellationToken = default) =>
        ChangeAccountAsync(actor, userId, cancellationToken, async (db, user, at) =>
        {
            if (admin == user.IsInstanceAdmin) return Outcome.Ok(admin ? $"{user.Email} is already an administrator." : $"{user.Email} is not an administrator.");
            if (admin && user.DisabledAt is not null) return Failure.Conflict($"{user.Email} is disabled: enable the account first.");
            if (!admin && !await OtherActiveAdminExistsAsync(db, user.Id, cancellationToken)) return Failure.Conflict(LastAdminMessage);
            user.IsInstanceAdmin = admin;
            Audit(db, at, admin ? AdminAuditAction.AdminPromoted : AdminAuditAction.AdminDemoted, user,
                admin ? "user" : "administrator", admin ? "administrator" : "user");
            return Outcome.Ok(admin ? $"{user.Email} is now an instance administrator." : $"{user.Email} is no longer an instance administrator.");
        }, after: user => sessions.RoleChangedAsync(user.Id));

    /// <summary>
    /// Deletes an account: its memberships, API tokens and personal provider keys go; its generations stay (their author
    /// shows as "a former member"). Refused for oneself, the last administrator, and the only Owner of a workspace.
    /// </summary>
    public Task<Outcome> DeleteAsync(AuditActor actor, Guid userId, CancellationToken cancellationToken = default) =>
        ChangeAccountAsync(actor, userId, cancellationToken, async (db, user, at) =>
        {
            if (user.Id == at.Actor.UserId) return Failure.Conflict("You cannot delete your own account here. Ask another administrator.");
            if (user.IsInstanceAdmin && !await OtherActiveAdminExistsAsync(db, user.Id, cancellationToken)) return Failure.Conflict(LastAdminMessage);
            var members = db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]);
            var soleOwnerOf = await members
                .Where(m => m.UserId == user.Id && m.Role == WorkspaceRole.Owner
                    && !members.Any(o => o.WorkspaceId == m.WorkspaceId && o.UserId != user.Id && o.Role == WorkspaceRole.Owner))
                .Join(db.Workspaces.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]), m => m.WorkspaceId, w => w.Id, (m, w) => w.Name)
                .ToListAsync(cancellationToken);
            if (soleOwnerOf.Count > 0)
            {
                return Failure.Conflict($"{user.Email} is the only Owner of {string.Join(", ", soleOwnerOf.Order(StringComparer.Ordinal))}: " +
                    "make another member Owner there first (workspace settings), or disable the account instead.");
            }
            var keys = await db.Set<ProviderKey>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
                .Where(k => k.OwnerUserId == user.Id).ExecuteDeleteAsync(cancellationToken);
            Audit(db, at, AdminAuditAction.AccountDeleted, user, user.IsInstanceAdmin ? "administrator" : "user",
                keys == 0 ? "deleted" : $"deleted with {keys} personal key(s)");
            db.Users.Remove(user);
            return Outcome.Ok($"{user.Email} is deleted. Their generations stay, shown as by \"a former member\".");
        }, after: user => sessions.EndSessionsAsync(user.Id, null));

    /// <summary>Turns another account's two-factor sign-in off (lost phone and codes): its authenticator key and recovery codes go, its sessions end.</summary>
    public Task<Outcome> ResetTwoFactorAsync(AuditActor actor, Guid userId, CancellationToken cancellationToken = default) =>
        ChangeAccountAsync(actor, userId, cancellationToken, async (db, user, at) =>
        {
            if (user.Id == at.Actor.UserId) return Failure.Conflict("Reset your own two-factor sign-in on your account page, or ask another administrator.");
            if (!user.TwoFactorEnabled) return Outcome.Ok($"{user.Email} has no two-factor sign-in to reset.");
            user.TwoFactorEnabled = false;
            user.LastAuthenticatorTimeStep = null; // the next key's codes owe nothing to this one's
            user.SecurityStamp = Guid.NewGuid().ToString();
            await db.UserTokens.Where(t => t.UserId == user.Id && (t.Name == "AuthenticatorKey" || t.Name == "RecoveryCodes")).ExecuteDeleteAsync(cancellationToken);
            Audit(db, at, AdminAuditAction.TwoFactorReset, user, "two-factor on", "two-factor off; signed out");
            return Outcome.Ok($"{user.Email}'s two-factor sign-in is reset: they sign in with their password and set it up again.");
        }, after: user => sessions.EndSessionsAsync(user.Id, user.SecurityStamp));

    public async Task<Outcome> SetRegistrationModeAsync(AuditActor actor, RegistrationMode mode, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await ActorEmailAsync(db, actor, cancellationToken) is not { } actorEmail) return NotAnAdmin;
        var old = await accounts.GetRegistrationModeAsync(cancellationToken);
        if (old == mode) return Outcome.Ok();
        await accounts.SetRegistrationModeAsync(mode, cancellationToken);
        db.Add(new AdminAuditEntry(actor, actorEmail, timeProvider.GetUtcNow())
        {
            Action = AdminAuditAction.RegistrationModeChanged, OldValue = Describe(old), NewValue = Describe(mode),
        });
        await db.SaveChangesAsync(cancellationToken);
        return Outcome.Ok(mode switch
        {
            RegistrationMode.Open => "Registration is open: anyone can create an account.",
            RegistrationMode.Closed => "Registration is closed: nobody can create an account, not even with an invite.",
            _ => "Registration is invite-only.",
        });
    }

    public static string Describe(RegistrationMode mode) => mode switch
    {
        RegistrationMode.Open => "open",
        RegistrationMode.Closed => "closed",
        _ => "invite-only",
    };

    private static readonly Failure NotAnAdmin = Failure.Forbidden("Only an instance administrator can do that, and you no longer are one.");

    /// <summary>
    /// Runs <paramref name="change"/> on the target account in one serializable transaction with its audit row, so two
    /// administrators acting at once cannot both pass the last-administrator rule; then tells open sessions.
    /// </summary>
    private async Task<Outcome> ChangeAccountAsync(AuditActor actor, Guid userId, CancellationToken cancellationToken,
        Func<AppDbContext, AppUser, ChangeContext, Task<Outcome>> change, Func<AppUser, Task>? after = null)
    {
        Outcome outcome;
        AppUser? changed;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
            if (await ActorEmailAsync(db, actor, cancellationToken) is not { } actorEmail) return NotAnAdmin;
            var user = changed = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
            if (user is null) return Failure.NotFound("There is no such account (any more): reload the list.");
            outcome = await change(db, user, new ChangeContext(actor, actorEmail, timeProvider.GetUtcNow()));
            if (!outcome.Succeeded) return outcome;
            user.ConcurrencyStamp = Guid.NewGuid().ToString();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (IsSerializationFailure(e))
        {
            logger.LogInformation("An admin change to account {UserId} met a concurrent change and was not made.", userId);
            return Failure.Conflict("Another administrator changed accounts at the same moment. Reload the list and try again.");
        }
        if (after is not null && changed is not null) await after(changed);
        return outcome;
    }

    private static bool IsSerializationFailure(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.SerializationFailure or Npgsql.PostgresErrorCodes.DeadlockDetected }) return true;
            if (x is DbUpdateConcurrencyException) return true;
        }
        return false;
    }

    private static Task<bool> OtherActiveAdminExistsAsync(AppDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.Id != userId && u.IsInstanceAdmin && u.DisabledAt == null, cancellationToken);

    /// <summary>The actor's email when they are an enabled instance administrator now; otherwise null.</summary>
    private static Task<string?> ActorEmailAsync(AppDbContext db, AuditActor actor, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == actor.UserId && u.IsInstanceAdmin && u.DisabledAt == null).Select(u => u.Email ?? "").FirstOrDefaultAsync(cancellationToken);

    private sealed record ChangeContext(AuditActor Actor, string ActorEmail, DateTimeOffset Now);

    private static void Audit(AppDbContext db, ChangeContext at, AdminAuditAction action, AppUser target, string? old, string? @new) =>
        db.Add(new AdminAuditEntry(at.Actor, at.ActorEmail, at.Now)
        {
            Action = action,
            TargetUserId = target.Id,
            TargetEmail = target.Email,
            OldValue = old,
            NewValue = @new,
        });

    private static (int Page, int PageSize) Clamp(int page, int pageSize) => (Math.Max(1, page), Math.Clamp(pageSize, 1, 100));
}
