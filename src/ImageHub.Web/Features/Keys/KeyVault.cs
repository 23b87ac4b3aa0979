using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Keys;

/// <summary>Who acts on the vault, and from where (for the audit log).</summary>

/// <summary>A key to add. <see cref="Scope"/> is "personal" or "workspace" (as the REST API spells it).</summary>
public sealed record KeyDraft(string? Provider, string? Label, string? Secret, string? Scope = "personal", DateTimeOffset? ExpiresAt = null);

/// <summary>What a person sees of a key: the mask, never the secret.</summary>
public sealed record KeyView(
    Guid Id,
    string ProviderId,
    string ProviderName,
    KeyScope Scope,
    string Label,
    string Mask,
    KeyStatus Status,
    string? StatusMessage,
    decimal? Balance,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? CheckedAt,
    DateTimeOffset? LastUsedAt,
    string AddedBy,
    DateTimeOffset CreatedAt,
    bool Disabled,
    bool CanManage)
{
    /// <summary>Whether the provider has a read-only check for keys (from its profile).</summary>
    public bool CanBeChecked { get; init; } = true;

    /// <summary>How a key of this provider is checked, or why it cannot be (from its profile).</summary>
    public string KeyCheckNote { get; init; } = "";

    /// <summary>The Check button's tooltip.</summary>
    public string CheckTitle => CanBeChecked ? "Check: ask the provider whether it accepts this key" : KeyCheckNote;
}

public sealed record KeyAuditView(
    Guid Id, DateTimeOffset At, string ActorEmail, string? RemoteAddress, KeyAuditAction Action,
    string ProviderId, Guid? KeyId, string KeyLabel, KeyScope? Scope, string? Detail);

/// <summary>Filters for the audit log; null means any.</summary>
public sealed record KeyAuditFilter(
    string? ProviderId = null, KeyAuditAction? Action = null, Guid? ActorUserId = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, int Take = 500);

/// <summary>
/// The provider key vault of <see cref="CurrentWorkspace"/>: add, rotate, disable, delete, check, list, and
/// the audit log. Members manage their own personal keys; Owners and Admins manage the workspace's keys and
/// whether members may spend through them. Secrets go in through <see cref="AddAsync"/> and
/// <see cref="RotateAsync"/> and are encrypted before the entity exists; nothing here hands one out
/// (only <see cref="KeyResolver.GetCredentialAsync"/> does, for the wire).
/// </summary>
public sealed class KeyVault(
    IDbContextFactory<AppDbContext> dbFactory,
    CurrentWorkspace currentWorkspace,
    WorkspaceAccess workspaceAccess,
    ProviderKeyProtector protector,
    IProviderRegistry providers,
    TimeProvider timeProvider,
    ILogger<KeyVault> logger)
{
    private const string WorkspaceKeysAreForAdmins = "Only the workspace's Owners and Admins can add or change workspace keys.";
    private const string NoSuchKey = "There is no such key in this workspace, or it is another member's personal key.";

    public string ProviderName(string providerId) =>
        providers.TryGet(providerId, out var provider) ? provider.DisplayName : providerId;

    /// <summary>Why this provider's keys cannot be checked, or null when they can (the provider's profile says).</summary>
    public string? CannotCheckNote(string? providerId) =>
        providerId is not null && providers.TryGet(providerId, out var provider) && !provider.Profile.CanCheckKeys ? provider.Profile.KeyCheckNote : null;

    /// <summary>The provider ids the vault accepts, in display order.</summary>
    public IReadOnlyList<string> ProviderIdsInOrder => ProviderIds.All;

    /// <summary>The actor's personal keys and the workspace's keys, newest first.</summary>
    public async Task<IReadOnlyList<KeyView>> ListAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        if (!currentWorkspace.IsSet) return [];
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = await db.Set<ProviderKey>().AsNoTracking()
            .Where(k => k.Scope == KeyScope.Workspace || k.OwnerUserId == userId)
            .ToListAsync(cancellationToken);
        var emails = await EmailsAsync(db, keys.Select(k => k.CreatedById), cancellationToken);
        var now = timeProvider.GetUtcNow();
        var isAdmin = await workspaceAccess.IsAdminAsync(cancellationToken);
        return keys.OrderBy(k => k.Scope).ThenBy(k => ProviderOrder(k.ProviderId)).ThenByDescending(k => k.CreatedAt)
            .Select(k => View(k, emails, now, k.Scope == KeyScope.Workspace ? isAdmin : k.OwnerUserId == userId)).ToList();
    }

    /// <summary>Per provider: may Members spend through the workspace's keys?</summary>
    public async Task<IReadOnlyDictionary<string, bool>> MemberAccessAsync(CancellationToken cancellationToken = default)
    {
        var result = ProviderIds.All.ToDictionary(id => id, _ => false, StringComparer.Ordinal);
        if (!currentWorkspace.IsSet) return result;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var access in await db.Set<WorkspaceKeyAccess>().AsNoTracking().ToListAsync(cancellationToken))
        {
            result[access.ProviderId] = access.MembersMayUse;
        }
        return result;
    }

    public async Task<Outcome<KeyView>> AddAsync(AuditActor actor, KeyDraft draft, CancellationToken cancellationToken = default)
    {
        if (!currentWorkspace.IsSet) return Failure.Forbidden("You are not in a workspace. Create one or ask for an invite.");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var providerId = ValidateProvider(draft.Provider, errors);
        var label = ValidateLabel(draft.Label, errors);
        var secret = ValidateSecret(draft.Secret, errors);
        var scope = ValidateScope(draft.Scope, errors);
        ValidateExpiry(draft.ExpiresAt, errors);
        if (scope == KeyScope.Workspace && !await workspaceAccess.IsAdminAsync(cancellationToken))
        {
            return Failure.Forbidden(WorkspaceKeysAreForAdmins);
        }
        if (errors.Count > 0) return Failure.Invalid(errors);

        var key = new ProviderKey
        {
            ProviderId = providerId!,
            Scope = scope!.Value,
            OwnerUserId = scope == KeyScope.Personal ? actor.UserId : null,
            Label = label!,
            Secret = protector.Protect(secret!),
            Last4 = ProviderKey.Last4Of(secret!),
            ExpiresAt = draft.ExpiresAt,
            CreatedById = actor.UserId,
            CreatedAt = timeProvider.GetUtcNow(),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Add(key);
        await AuditAsync(db, actor, KeyAuditAction.Added, key, $"{key.Scope} key, mask {key.Mask}" + (key.ExpiresAt is { } e ? $", expires {e:yyyy-MM-dd}" : ""), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Key {KeyId} ({Provider}, {Scope}) added by {UserId}", key.Id, key.ProviderId, key.Scope, actor.UserId);
        return Outcome<KeyView>.Ok(View(key, await EmailsAsync(db, [key.CreatedById], cancellationToken), key.CreatedAt, canManage: true));
    }

    /// <summary>A new secret for the same key record (and history): the status goes back to Unchecked.</summary>
    public Task<Outcome<KeyView>> RotateAsync(AuditActor actor, Guid keyId, string? newSecret, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default) =>
        ManageAsync(actor, keyId, cancellationToken, async (db, key) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var secret = ValidateSecret(newSecret, errors);
            ValidateExpiry(expiresAt, errors);
            if (errors.Count > 0) return Failure.Invalid(errors);
            key.Secret = protector.Protect(secret!);
            key.Last4 = ProviderKey.Last4Of(secret!);
            key.ExpiresAt = expiresAt;
            key.Status = KeyStatus.Unchecked;
            key.StatusMessage = null;
            key.Balance = null;
            key.CheckedAt = null;
            await AuditAsync(db, actor, KeyAuditAction.Rotated, key, $"new mask {key.Mask}", cancellationToken);
            return null;
        });

    public Task<Outcome<KeyView>> SetDisabledAsync(AuditActor actor, Guid keyId, bool disabled, CancellationToken cancellationToken = default) =>
        ManageAsync(actor, keyId, cancellationToken, async (db, key) =>
        {
            if (key.Disabled == disabled) return null;
            key.Disabled = disabled;
            await AuditAsync(db, actor, disabled ? KeyAuditAction.Disabled : KeyAuditAction.Enabled, key, null, cancellationToken);
            return null;
        });

    public async Task<Outcome<KeyView>> DeleteAsync(AuditActor actor, Guid keyId, CancellationToken cancellationToken = default)
    {
        var result = await ManageAsync(actor, keyId, cancellationToken, async (db, key) =>
        {
            db.Remove(key);
            await AuditAsync(db, actor, KeyAuditAction.Deleted, key, null, cancellationToken);
            return null;
        });
        return result.Succeeded ? Outcome<KeyView>.Ok(null, "Key deleted.") : result;
    }

    /// <summary>
    /// Calls the provider's cheapest read-only endpoint with the key and records Valid or Invalid with the
    /// provider's message (and the balance where it reports one). Koala has none: the key stays Unchecked.
    /// A check that fails for another reason (network, rate limit) keeps the previous status.
    /// </summary>
    public Task<Outcome<KeyView>> CheckAsync(AuditActor actor, Guid keyId, CancellationToken cancellationToken = default) =>
        ManageAsync(actor, keyId, cancellationToken, async (db, key) =>
        {
            if (!providers.TryGet(key.ProviderId, out var provider))
            {
                return Failure.Invalid("provider", $"ImageHub has no client for '{key.ProviderId}' any more.");
            }
            ProviderCredential credential;
            try
            {
                credential = new ProviderCredential(protector.Unprotect(key.Secret, key.Label));
            }
            catch (KeyVaultException ex)
            {
                return Failure.Invalid("secret", ex.Message);
            }
            KeyCheckResult check;
            try
            {
                check = await provider.CheckKeyAsync(credential, cancellationToken);
            }
            catch (ProviderException ex)
            {
                check = new KeyCheckResult(KeyCheckStatus.Error, ex.Message, Error: ex.Error);
            }
            var said = check.Error?.ProviderMessage is { Length: > 0 } providerMessage && !check.Message.Contains(providerMessage, StringComparison.Ordinal)
                ? $" {provider.DisplayName} said: {providerMessage.TrimEnd('.')}."
                : "";
            var message = ScrubSecret(check.Message + said, credential);
            key.CheckedAt = timeProvider.GetUtcNow();
            switch (check.Status)
            {
                case KeyCheckStatus.Valid:
                    key.Status = KeyStatus.Valid;
                    key.Balance = check.Balance;
                    key.StatusMessage = message;
                    break;
                case KeyCheckStatus.Invalid:
                    key.Status = KeyStatus.Invalid;
                    key.Balance = null;
                    key.StatusMessage = message;
                    break;
                case KeyCheckStatus.Unchecked:
                    key.Status = KeyStatus.Unchecked;
                    key.StatusMessage = message;
                    break;
                default:
                    key.StatusMessage = $"Could not check the key: {message}";
                    break;
            }
            await AuditAsync(db, actor, KeyAuditAction.Checked, key, $"{check.Status}: {Truncate(message, 900)}", cancellationToken);
            return null;
        });

    public async Task<Outcome<KeyView>> SetMemberAccessAsync(AuditActor actor, string? providerId, bool membersMayUse, CancellationToken cancellationToken = default)
    {
        if (!await workspaceAccess.IsAdminAsync(cancellationToken)) return Failure.Forbidden(WorkspaceKeysAreForAdmins);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var id = ValidateProvider(providerId, errors);
        if (errors.Count > 0) return Failure.Invalid(errors);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await db.Set<WorkspaceKeyAccess>().FirstOrDefaultAsync(a => a.ProviderId == id, cancellationToken);
        if (access is null)
        {
            access = new WorkspaceKeyAccess { ProviderId = id! };
            db.Add(access);
        }
        else if (access.MembersMayUse == membersMayUse)
        {
            return Outcome<KeyView>.Ok(null);
        }
        access.MembersMayUse = membersMayUse;
        db.Add(await NewAuditAsync(db, actor, KeyAuditAction.MemberAccessChanged, id!, null, "", KeyScope.Workspace,
            membersMayUse ? "Members may spend through the workspace's keys" : "Only Owners and Admins may spend through the workspace's keys", cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<KeyView>.Ok(null);
    }

    /// <summary>The audit log, newest first; Owners and Admins only (others get an empty list).</summary>
    public async Task<IReadOnlyList<KeyAuditView>> AuditLogAsync(KeyAuditFilter filter, CancellationToken cancellationToken = default)
    {
        if (!await workspaceAccess.IsAdminAsync(cancellationToken)) return [];
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Set<KeyAuditEntry>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.ProviderId)) query = query.Where(a => a.ProviderId == filter.ProviderId);
        if (filter.Action is { } action) query = query.Where(a => a.Action == action);
        if (filter.ActorUserId is { } actorId) query = query.Where(a => a.ActorUserId == actorId);
        if (filter.From is { } from) query = query.Where(a => a.At >= from);
        if (filter.To is { } to) query = query.Where(a => a.At < to);
        var rows = await query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(Math.Clamp(filter.Take, 1, 5000)).ToListAsync(cancellationToken);
        return rows.Select(a => new KeyAuditView(a.Id, a.At, a.ActorEmail, a.RemoteAddress, a.Action, a.ProviderId, a.KeyId, a.KeyLabel, a.Scope, a.Detail)).ToList();
    }

    private async Task<Outcome<KeyView>> ManageAsync(AuditActor actor, Guid keyId, CancellationToken cancellationToken,
        Func<AppDbContext, ProviderKey, Task<Failure?>> change)
    {
        if (!currentWorkspace.IsSet) return Failure.NotFound(NoSuchKey);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.Set<ProviderKey>().FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        // Another member's personal key does not exist, as far as anyone else can tell.
        if (key is null || (key.Scope == KeyScope.Personal && key.OwnerUserId != actor.UserId)) return Failure.NotFound(NoSuchKey);
        if (!await CanManageAsync(key, actor.UserId, cancellationToken)) return Failure.Forbidden(WorkspaceKeysAreForAdmins);
        var refused = await change(db, key);
        if (refused is not null) return refused;
        await db.SaveChangesAsync(cancellationToken);
        var deleted = db.Entry(key).State == EntityState.Detached;
        return Outcome<KeyView>.Ok(deleted ? null : View(key, await EmailsAsync(db, [key.CreatedById], cancellationToken), timeProvider.GetUtcNow(), canManage: true));
    }

    private async Task<bool> CanManageAsync(ProviderKey key, Guid userId, CancellationToken cancellationToken) =>
        key.Scope == KeyScope.Workspace ? await workspaceAccess.IsAdminAsync(cancellationToken) : key.OwnerUserId == userId;

    private async Task AuditAsync(AppDbContext db, AuditActor actor, KeyAuditAction action, ProviderKey key, string? detail, CancellationToken cancellationToken) =>
        db.Add(await NewAuditAsync(db, actor, action, key.ProviderId, key.Id, key.Label, key.Scope, detail, cancellationToken));

    private async Task<KeyAuditEntry> NewAuditAsync(AppDbContext db, AuditActor actor, KeyAuditAction action, string providerId, Guid? keyId, string label,
        KeyScope? scope, string? detail, CancellationToken cancellationToken)
    {
        var email = (await EmailsAsync(db, [actor.UserId], cancellationToken)).GetValueOrDefault(actor.UserId, "");
        return new KeyAuditEntry(actor, email, timeProvider.GetUtcNow())
        {
            Action = action,
            ProviderId = providerId,
            KeyId = keyId,
            KeyLabel = label,
            Scope = scope,
            Detail = detail,
        };
    }

    private static async Task<Dictionary<Guid, string>> EmailsAsync(AppDbContext db, IEnumerable<Guid> userIds, CancellationToken cancellationToken)
    {
        var ids = userIds.Distinct().ToList();
        var rows = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.Email }).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Id, r => r.Email ?? "");
    }

    private KeyView View(ProviderKey key, IReadOnlyDictionary<Guid, string> emails, DateTimeOffset now, bool canManage) => new(
        key.Id, key.ProviderId, ProviderName(key.ProviderId), key.Scope, key.Label, key.Mask, key.StatusAt(now), key.StatusMessage,
        key.Balance, key.ExpiresAt, key.CheckedAt, key.LastUsedAt, emails.GetValueOrDefault(key.CreatedById, "(removed user)"),
        key.CreatedAt, key.Disabled, canManage)
    {
        CanBeChecked = !providers.TryGet(key.ProviderId, out var provider) || provider.Profile.CanCheckKeys,
        KeyCheckNote = providers.TryGet(key.ProviderId, out var p) ? p.Profile.KeyCheckNote : "",
    };

    private static int ProviderOrder(string providerId) => ProviderIds.All.ToList().IndexOf(providerId) is var i and >= 0 ? i : int.MaxValue;

    private static string ScrubSecret(string text, ProviderCredential credential) =>
        text.Replace(credential.Reveal(), credential.Masked, StringComparison.Ordinal);

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max];

    private string? ValidateProvider(string? provider, Dictionary<string, string[]> errors)
    {
        var known = string.Join(", ", ProviderIds.All);
        if (string.IsNullOrWhiteSpace(provider))
        {
            errors["provider"] = [$"Choose a provider: {known}."];
            return null;
        }
        var id = provider.Trim().ToLowerInvariant();
        if (!ProviderIds.All.Contains(id) || !providers.TryGet(id, out _))
        {
            errors["provider"] = [$"\"{Truncate(provider.Trim(), 40)}\" is not a provider ImageHub knows. Choose one of: {known}."];
            return null;
        }
        return id;
    }

    private static string? ValidateLabel(string? label, Dictionary<string, string[]> errors)
    {
        var trimmed = label?.Trim() ?? "";
        if (trimmed.Length == 0) errors["label"] = ["Give the key a label, e.g. \"Team Kolbo key\"."];
        else if (trimmed.Length > ProviderKey.LabelMaxLength) errors["label"] = [$"A label has at most {ProviderKey.LabelMaxLength} characters; this one has {trimmed.Length}."];
        else return trimmed;
        return null;
    }

    private static string? ValidateSecret(string? secret, Dictionary<string, string[]> errors)
    {
        var trimmed = secret?.Trim() ?? "";
        if (trimmed.Length == 0) errors["secret"] = ["Paste the key itself; it is empty."];
        else if (trimmed.Length > ProviderKey.SecretMaxLength) errors["secret"] = [$"A key has at most {ProviderKey.SecretMaxLength} characters. Check that you pasted only the key."];
        else if (trimmed.Any(char.IsWhiteSpace)) errors["secret"] = ["A key has no spaces or line breaks inside. Check that you pasted only the key."];
        else return trimmed;
        return null;
    }

    private static KeyScope? ValidateScope(string? scope, Dictionary<string, string[]> errors)
    {
        switch (scope?.Trim().ToLowerInvariant())
        {
            case null or "" or "personal": return KeyScope.Personal;
            case "workspace": return KeyScope.Workspace;
            default:
                errors["scope"] = ["Scope is \"personal\" (your own key) or \"workspace\" (the team's key)."];
                return null;
        }
    }

    private void ValidateExpiry(DateTimeOffset? expiresAt, Dictionary<string, string[]> errors)
    {
        if (expiresAt is { } expires && expires <= timeProvider.GetUtcNow())
        {
            errors["expiresAt"] = ["The expiry date is in the past. Leave it empty, or pick a future date."];
        }
    }
}
