using ImageHub.Providers;
using ImageHub.Web.Features.Keys;

namespace ImageHub.Web.Features.Jobs;

/// <summary>The jobs' keys from the key vault: its one rule decides who pays.</summary>
internal sealed class KeyVaultGenerationKeys(KeyResolver resolver) : IGenerationKeys
{
    public async Task<PayingKey> ResolveAsync(Guid userId, Workspaces.WorkspaceRole? role, string providerId, CancellationToken ct) =>
        Paying(await resolver.ResolveAsync(userId, role, providerId, ct));

    private static PayingKey Paying(KeyResolution resolution) => new(resolution.Found, resolution.KeyId, resolution.Label, resolution.Message);

    public Task<ProviderCredential> GetCredentialAsync(Guid? keyId, string providerId, CancellationToken ct) =>
        resolver.GetCredentialAsync(keyId, providerId, ct);

    public Task MarkUsedAsync(Guid keyId) => resolver.MarkUsedAsync(keyId);
}
