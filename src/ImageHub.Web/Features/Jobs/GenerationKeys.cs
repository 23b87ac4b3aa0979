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
    /// <summary>Which key pays for <paramref name="userId"/>, whose role in the current workspace the caller has just read from the database (null: not a member).</summary>
    Task<PayingKey> ResolveAsync(Guid userId, Workspaces.WorkspaceRole? role, string providerId, CancellationToken ct);
    Task<ProviderCredential> GetCredentialAsync(Guid? keyId, string providerId, CancellationToken ct);
    Task MarkUsedAsync(Guid keyId);
}
