using ImageHub.Providers;
using ImageHub.Web.Features.Workspaces;

namespace ImageHub.Web.Features.Compose;

/// <summary>
/// What the composer offers for one provider: its capabilities (live model lists where a key can fetch them), the
/// key that would pay, named values of options that live in the key's account (Kolbo's moodboards), and any problem in words.
/// </summary>
public sealed record ProviderChoice(
    ProviderCapabilities Capabilities,
    string? KeyLabel,
    string? KeyProblem,
    IReadOnlyDictionary<string, IReadOnlyList<OptionChoice>> OptionChoices,
    string? CatalogProblem)
{
    public string Id => Capabilities.ProviderId;
    public string Name => Capabilities.DisplayName;

    /// <summary>The named values of one option, or null when it has none (free input or its allowed values).</summary>
    public IReadOnlyList<OptionChoice>? ChoicesFor(string option) => OptionChoices.TryGetValue(option, out var named) && named.Count > 0 ? named : null;
}

/// <summary>
/// Loads what the composer shows for each provider. Model lists that are data on the provider's side and option
/// values that live in the account are fetched with the key that would pay for this member; when there is no key
/// or the provider does not answer, the configured defaults apply and the problem is said in a sentence.
/// </summary>
public sealed class ComposeCatalog(IProviderRegistry providers, ComposeCredentials credentials, WorkspaceAccess access, ILogger<ComposeCatalog> logger)
{
    public async Task<IReadOnlyList<ProviderChoice>> LoadAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var role = await access.RoleOfAsync(userId, cancellationToken); // once, for every provider's paying key
        var tasks = providers.All.Select(provider => LoadOneAsync(userId, role, provider, cancellationToken));
        return await Task.WhenAll(tasks);
    }

    private async Task<ProviderChoice> LoadOneAsync(Guid userId, WorkspaceRole? role, IImageProvider provider, CancellationToken cancellationToken)
    {
        var key = await credentials.ResolveAsync(userId, role, provider.Id, cancellationToken);
        IReadOnlyDictionary<string, IReadOnlyList<OptionChoice>> named = new Dictionary<string, IReadOnlyList<OptionChoice>>();
        string? problem = null;
        ProviderCapabilities capabilities;
        try
        {
            capabilities = await provider.GetCapabilitiesAsync(key.Credential, cancellationToken);
            if (key.Credential is not null)
            {
                named = await provider.ListOptionChoicesAsync(key.Credential, cancellationToken);
            }
        }
        catch (ProviderException e)
        {
            logger.LogInformation("Composer catalogue for {Provider}: {Kind}", provider.Id, e.Kind);
            capabilities = await provider.GetCapabilitiesAsync(null, cancellationToken);
            problem = $"Could not read {provider.DisplayName}'s live lists: {e.Error.UserMessage}";
        }
        return new ProviderChoice(capabilities, key.Label, key.Problem, named, problem);
    }
}
