using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Keys;

/// <summary>
/// Which key pays. <see cref="Found"/> with <see cref="KeyId"/> null means the built-in sandbox key
/// (sandbox mode only). When nothing pays, <see cref="Message"/> says which key is missing and who can add it.
/// </summary>
public sealed record KeyResolution(bool Found, Guid? KeyId, KeyScope? Scope, string Label, string? Message)
{
    public static KeyResolution Missing(string message) => new(false, null, null, "", message);
}

/// <summary>
/// The one rule of the vault, in one place: a generation is paid by the member's own enabled, unexpired
/// key for that provider (one the provider has not refused), else by the workspace's key when the member
/// may use it (Owners and Admins always; Members when the workspace allows it for that provider). In
/// sandbox mode a built-in key stands in when nothing else pays. Works in <see cref="CurrentWorkspace"/>.
/// </summary>
public sealed class KeyResolver(
    IDbContextFactory<AppDbContext> dbFactory,
    CurrentWorkspace currentWorkspace,
    WorkspaceAccess access,
    ProviderKeyProtector protector,
    IProviderRegistry providers,
    SandboxMode sandbox,
    TimeProvider timeProvider)
{
    /// <summary>The key the sandbox is called with when nobody added one (any key but "bad…" works there).</summary>
    public const string SandboxSecret = "imagehub-sandbox-key";
    public const string SandboxLabel = "Sandbox key";

    /// <summary>Which key pays for <paramref name="userId"/> on <paramref name="providerId"/>, with their role read from the database now.</summary>
    public async Task<KeyResolution> ResolveAsync(Guid userId, string providerId, CancellationToken ct) =>
        await ResolveAsync(userId, await access.RoleOfAsync(userId, ct), providerId, ct);

    /// <summary>
    /// Which key pays, for a caller that has just read <paramref name="userId"/>'s role in the current workspace from the
    /// database for this request (<see cref="WorkspaceAccess.RoleForRequestAsync"/>); null means not a member.
    /// </summary>
    public async Task<KeyResolution> ResolveAsync(Guid userId, WorkspaceRole? role, string providerId, CancellationToken ct)
    {
        if (!providers.TryGet(providerId, out var provider))
        {
            return KeyResolution.Missing($"\"{providerId}\" is not a provider ImageHub knows. Choose one of: {string.Join(", ", ProviderIds.All)}.");
        }
        if (!currentWorkspace.IsSet)
        {
            return KeyResolution.Missing("You are not in a workspace. Create one or ask for an invite.");
        }
        var id = provider.Id;
        var name = provider.DisplayName;
        var now = timeProvider.GetUtcNow();

        if (role is null)
        {
            return KeyResolution.Missing("You are not a member of this workspace.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = await db.Set<ProviderKey>().AsNoTracking()
            .Where(k => k.ProviderId == id && (k.Scope == KeyScope.Workspace || k.OwnerUserId == userId))
            .ToListAsync(ct);

        var own = keys.Where(k => k.Scope == KeyScope.Personal).ToList();
        if (Best(own, now) is { } mine)
        {
            return new KeyResolution(true, mine.Id, KeyScope.Personal, mine.Label, null);
        }

        var shared = keys.Where(k => k.Scope == KeyScope.Workspace).ToList();
        var usableShared = Best(shared, now);
        var mayUseShared = role >= WorkspaceRole.Admin
            || await db.Set<WorkspaceKeyAccess>().AsNoTracking().AnyAsync(a => a.ProviderId == id && a.MembersMayUse, ct);
        if (usableShared is not null && mayUseShared)
        {
            return new KeyResolution(true, usableShared.Id, KeyScope.Workspace, usableShared.Label, null);
        }

        if (sandbox.Enabled)
        {
            return new KeyResolution(true, null, null, SandboxLabel, null);
        }

        var why = own.Count > 0 ? Unusable(own, now, $"Your {name} key") + " " : "";
        if (usableShared is not null)
        {
            return KeyResolution.Missing(
                $"{why}No {name} key of yours, and members may not spend through the workspace's {name} key. " +
                $"Add your own {name} key in Keys, or ask a workspace Owner or Admin to let members use the workspace's key.");
        }
        var sharedWhy = shared.Count > 0 ? Unusable(shared, now, $"The workspace's {name} key") + " " : "";
        return KeyResolution.Missing(role >= WorkspaceRole.Admin
            ? $"{why}{sharedWhy}No usable {name} key. Add your own or a workspace {name} key in Keys."
            : $"{why}{sharedWhy}No usable {name} key. Add your own {name} key in Keys, or ask a workspace Owner or Admin to add a workspace {name} key.");
    }

    /// <summary>
    /// The credential for <paramref name="keyId"/>, decrypted on its way to the wire (or the sandbox key
    /// when <paramref name="keyId"/> is null in sandbox mode). Throws <see cref="KeyVaultException"/> with a
    /// readable message when the key was deleted, disabled or expired since it was resolved.
    /// </summary>
    public async Task<ProviderCredential> GetCredentialAsync(Guid? keyId, string providerId, CancellationToken ct)
    {
        var name = providers.TryGet(providerId, out var provider) ? provider.DisplayName : providerId;
        if (keyId is null)
        {
            return sandbox.Enabled
                ? new ProviderCredential(SandboxSecret)
                : throw new KeyVaultException($"No {name} key was chosen to pay for this. Add one in Keys.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.Set<ProviderKey>().AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId, ct)
            ?? throw new KeyVaultException($"The {name} key chosen for this was deleted. Add a key in Keys and run it again.");
        if (!string.Equals(key.ProviderId, providerId, StringComparison.OrdinalIgnoreCase))
        {
            throw new KeyVaultException($"The key \"{key.Label}\" is a {ProviderName(key.ProviderId)} key, not a {name} key.");
        }
        var now = timeProvider.GetUtcNow();
        if (key.Disabled) throw new KeyVaultException($"The {name} key \"{key.Label}\" was disabled. Enable it or use another key in Keys.");
        if (key.IsExpiredAt(now)) throw new KeyVaultException($"The {name} key \"{key.Label}\" has expired. Rotate it in Keys.");
        return new ProviderCredential(protector.Unprotect(key.Secret, key.Label));
    }

    /// <summary>Records that <paramref name="keyId"/> just paid for something (shown as "last used").</summary>
    /// <summary>
    /// The provider accepted a generation this key paid for: it was used now, and an unchecked key (Koala's cannot be
    /// checked, and a check may not have run yet) has shown that it works. A key refused at its last check is never
    /// handed out, so it does not get here.
    /// </summary>
    public async Task MarkUsedAsync(Guid keyId)
    {
        var now = timeProvider.GetUtcNow();
        var proven = $"Paid for a generation the provider accepted on {now:yyyy-MM-dd HH:mm} UTC.";
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.Set<ProviderKey>().Where(k => k.Id == keyId).ExecuteUpdateAsync(s => s
            .SetProperty(k => k.LastUsedAt, now)
            .SetProperty(k => k.CheckedAt, k => k.Status == KeyStatus.Unchecked ? now : k.CheckedAt)
            .SetProperty(k => k.StatusMessage, k => k.Status == KeyStatus.Unchecked ? proven : k.StatusMessage)
            .SetProperty(k => k.Status, k => k.Status == KeyStatus.Unchecked ? KeyStatus.Valid : k.Status));
    }

    private string ProviderName(string id) => providers.TryGet(id, out var p) ? p.DisplayName : id;

    /// <summary>The usable key to pay with: one the provider accepted at its last check before an unchecked one, newest first.</summary>
    private static ProviderKey? Best(IEnumerable<ProviderKey> keys, DateTimeOffset now) =>
        keys.Where(k => k.IsUsableAt(now))
            .OrderBy(k => k.Status == KeyStatus.Valid ? 0 : 1)
            .ThenByDescending(k => k.CreatedAt)
            .FirstOrDefault();

    private static string Unusable(IReadOnlyList<ProviderKey> keys, DateTimeOffset now, string subject)
    {
        var key = keys.OrderByDescending(k => k.CreatedAt).First();
        var state = key.StatusAt(now) switch
        {
            KeyStatus.Disabled => "is disabled",
            KeyStatus.Expired => "has expired",
            KeyStatus.Invalid => "was refused by the provider at its last check",
            _ => "cannot be used",
        };
        return $"{subject} \"{key.Label}\" {state}.";
    }
}
