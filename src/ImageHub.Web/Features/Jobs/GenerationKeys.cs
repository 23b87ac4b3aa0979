using ImageHub.Providers;

namespace ImageHub.Web.Features.Jobs;

/// <summary>Which key pays for a run, as the jobs see it.</summary>
public sealed record PayingKey(bool Found, Guid? KeyId, string Label, string? Message);

/// <summary>
/// The jobs' view of the key vault (KEYS' KeyResolver): which key pays, its decrypted credential at send
/// time, and "last used". One seam, so the worker never touches the vault's tables.
/// </summary>
public interface IGenerationKeys
{
    Task<PayingKey> ResolveAsync(Guid userId, string providerId, CancellationToken ct);

    /// <summary>As above, with <paramref name="userId"/>'s role in the current workspace as the caller read it from the database for this request (null: not a member).</summary>
    Task<PayingKey> ResolveAsync(Guid userId, Workspaces.WorkspaceRole? role, string providerId, CancellationToken ct);
    Task<ProviderCredential> GetCredentialAsync(Guid? keyId, string providerId, CancellationToken ct);
    Task MarkUsedAsync(Guid keyId);
}
