using ImageHub.Providers;
using ImageHub.Web.Components.Shared;
using ImageHub.Web.Features.Spend;

namespace ImageHub.Web.Features.Compose;

/// <summary>
/// The cost shown before running: each provider's own estimate in its credits, with USD where the rate is known,
/// both through the workspace's <see cref="PriceBook"/> (the same prices the reservation and the settlement use).
/// </summary>
public sealed class ComposeEstimator(IProviderRegistry providers, PriceBook prices)
{
    public decimal? Credits(ProviderChoice choice, ComposeDraft draft)
    {
        if (!providers.TryGet(choice.Id, out var provider)) return null;
        var request = draft.For(choice.Id).ToRequest(draft.Prompt, choice.Capabilities).Request;
        return prices.Estimate(provider, request, choice.Capabilities);
    }

    public decimal? Usd(ProviderChoice choice, decimal credits) =>
        providers.TryGet(choice.Id, out var provider) ? prices.Usd(provider, credits) : null;

    public string Text(ProviderChoice choice, ComposeDraft draft) => Credits(choice, draft) is { } credits
        ? "≈ " + Amounts.Credits(credits) + (Usd(choice, credits) is { } usd ? " · " + Amounts.Usd(usd) : "")
        : choice.Capabilities.Profile.UnknownPriceText(modelChosen: draft.For(choice.Id).Model is not null);

    /// <summary>"Estimated total $0.05." for a compare whose every part has a USD figure; else empty.</summary>
    public string Total(IEnumerable<ProviderChoice> chosen, ComposeDraft draft)
    {
        var usd = chosen.Select(c => Credits(c, draft) is { } credits ? Usd(c, credits) : null).ToList();
        return draft.IsCompare && usd.Count > 0 && usd.All(u => u is not null) ? $"Estimated total {Amounts.Usd(usd.Sum(u => u!.Value))}." : "";
    }
}
