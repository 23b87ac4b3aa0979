namespace ImageHub.Providers;

/// <summary>
/// The one contract every provider client implements. The app validates with <see cref="Validate"/> (or lets
/// <see cref="SubmitAsync"/> do it: it validates before anything leaves the app), submits, persists the
/// handle, polls until a final state, and settles the credits the result reports.
/// All failures are <see cref="ProviderException"/>s.
/// </summary>
public interface IImageProvider
{
    /// <summary>"koala", "qolaba", "coals" or "kolbo" (<see cref="ProviderIds"/>).</summary>
    string Id { get; }

    string DisplayName { get; }

    /// <summary>Name, key checking, USD per credit, what no model means: known without a network call.</summary>
    ProviderProfile Profile { get; }

    /// <summary>
    /// Named values for options whose values live in the key's account (Kolbo's moodboards for <c>moodboard_id</c>),
    /// by option name; empty when the provider has none.
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<OptionChoice>>> ListOptionChoicesAsync(ProviderCredential credential, CancellationToken cancellationToken = default);

    /// <summary>
    /// The provider's capabilities. Without a credential: the configured defaults, no network. With one,
    /// providers whose model list is data on their side (Qolaba, Kolbo) fetch it (cached for a lifetime).
    /// </summary>
    ValueTask<ProviderCapabilities> GetCapabilitiesAsync(ProviderCredential? credential = null, CancellationToken cancellationToken = default);

    /// <summary>Every problem with the request, per field; empty when it can be sent.</summary>
    IReadOnlyList<FieldError> Validate(GenerationRequest request, ProviderCapabilities capabilities);

    /// <summary>Credits the request should cost in the provider's unit, or null when the price is not known up front.</summary>
    decimal? EstimateCredits(GenerationRequest request, ProviderCapabilities capabilities);

    /// <summary>Validates, then sends the generation POST once (never blindly retried after it may have been accepted).</summary>
    Task<SubmitResult> SubmitAsync(GenerationRequest request, ProviderCredential credential, CancellationToken cancellationToken = default);

    Task<PollResult> PollAsync(ProviderHandle handle, ProviderCredential credential, CancellationToken cancellationToken = default);

    /// <summary>Cancels where the provider can (<see cref="ProviderCapabilities.SupportsCancel"/>); else throws an InvalidRequest error.</summary>
    Task<PollResult> CancelAsync(ProviderHandle handle, ProviderCredential credential, CancellationToken cancellationToken = default);

    /// <summary>A cheap read-only key check where the provider has one, with the balance when it reports one.</summary>
    Task<KeyCheckResult> CheckKeyAsync(ProviderCredential credential, CancellationToken cancellationToken = default);
}

/// <summary>The registered providers, by id.</summary>
public interface IProviderRegistry
{
    IReadOnlyList<IImageProvider> All { get; }
    IImageProvider Get(string id);
    bool TryGet(string id, out IImageProvider provider);
}

internal sealed class ProviderRegistry(IEnumerable<IImageProvider> providers) : IProviderRegistry
{
    private readonly IReadOnlyList<IImageProvider> _all = providers.ToList();

    public IReadOnlyList<IImageProvider> All => _all;

    public IImageProvider Get(string id) =>
        TryGet(id, out var provider)
            ? provider
            : throw new KeyNotFoundException($"No provider '{id}'. Known providers: {string.Join(", ", _all.Select(p => p.Id))}.");

    public bool TryGet(string id, out IImageProvider provider)
    {
        provider = _all.FirstOrDefault(p => string.Equals(p.Id, id?.Trim(), StringComparison.OrdinalIgnoreCase))!;
        return provider is not null;
    }
}
