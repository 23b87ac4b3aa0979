using ImageHub.Providers;
using ImageHub.Web.Features.Jobs;

namespace ImageHub.Web.Features.Compose;

/// <summary>The key that would pay for a member's run on a provider: its label, its credential (to read live lists) or why there is none.</summary>
public sealed record ComposeKey(string? Label, ProviderCredential? Credential, string? Problem);

/// <summary>Asks the key vault (through the jobs' seam) which key would pay; the composer reads live model lists with it.</summary>
public sealed class ComposeCredentials(IGenerationKeys keys, ILogger<ComposeCredentials> logger)
{
    /// <summary>For <paramref name="userId"/>, whose role in the current workspace the caller has just read (null: not a member).</summary>
    public async Task<ComposeKey> ResolveAsync(Guid userId, Workspaces.WorkspaceRole? role, string providerId, CancellationToken cancellationToken)
    {
        var paying = await keys.ResolveAsync(userId, role, providerId, cancellationToken);
        if (!paying.Found) return new ComposeKey(null, null, paying.Message ?? $"No key for {providerId} yet.");
        try
        {
            var credential = await keys.GetCredentialAsync(paying.KeyId, providerId, cancellationToken);
            return new ComposeKey(paying.Label, credential, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A key that cannot be decrypted still lets the member compose with the configured lists.
            logger.LogWarning("Could not read the {Provider} key {KeyId} for the composer: {Error}", providerId, paying.KeyId, e.GetType().Name);
            return new ComposeKey(paying.Label, null, $"The {providerId} key \"{paying.Label}\" could not be read; live model lists are unavailable.");
        }
    }
}
