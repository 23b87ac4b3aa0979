using ImageHub.Providers;

namespace ImageHub.Web.Features.Compose;

/// <summary>
/// The cost shown before running: each provider's own estimate in its credits, with USD where the rate is known
/// (the workspace's pricing table first, then the documented rate). Koala prices per model that an admin
/// changed in the pricing table win over the configured ones, as they do for the reservation.
/// </summary>
public sealed class ComposeEstimator(
    IProviderRegistry providers,
    IReadOnlyDictionary<string, decimal?> usdPerCredit,
    IReadOnlyDictionary<string, decimal>? koalaCreditsPerImage = null)
{
    public decimal? Credits(ProviderChoice choice, ComposeDraft draft)
    {
        if (!providers.TryGet(choice.Id, out var provider)) return null;
        var request = draft.For(choice.Id).ToRequest(draft.Prompt, choice.Capabilities).Request;
        var model = request.Model ?? choice.Capabilities.DefaultModel;
        if (choice.Id == ProviderIds.Koala && model is not null && koalaCreditsPerImage is not null && koalaCreditsPerImage.TryGetValue(model, out var perImage))
        {
            return perImage * (request.NumImages ?? 1);
        }
        return provider.EstimateCredits(request, choice.Capabilities);
    }

    public decimal? Usd(ProviderChoice choice, decimal credits) =>
        (usdPerCredit.GetValueOrDefault(choice.Id) ?? choice.Capabilities.UsdPerCredit) * credits;

    public string Text(ProviderChoice choice, ComposeDraft draft) => Credits(choice, draft) is { } credits
        ? "≈ " + ComposeText.Credits(credits) + (Usd(choice, credits) is { } usd ? " · " + ComposeText.Usd(usd) : "")
        : choice.Id == ProviderIds.Kolbo && draft.For(choice.Id).Model is null
            ? "Smart Select: Kolbo reports the price"
            : "price reported after the run";

    /// <summary>"Estimated total $0.05." for a compare whose every part has a USD figure; else empty.</summary>
    public string Total(IEnumerable<ProviderChoice> chosen, ComposeDraft draft)
    {
        var usd = chosen.Select(c => Credits(c, draft) is { } credits ? Usd(c, credits) : null).ToList();
        return draft.IsCompare && usd.Count > 0 && usd.All(u => u is not null) ? $"Estimated total {ComposeText.Usd(usd.Sum(u => u!.Value))}." : "";
    }
}
