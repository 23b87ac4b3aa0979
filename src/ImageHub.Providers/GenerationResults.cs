namespace ImageHub.Providers;

public enum GenerationState { Pending, Running, Succeeded, Failed, Cancelled }

public static class GenerationStateExtensions
{
    public static bool IsFinal(this GenerationState state) =>
        state is GenerationState.Succeeded or GenerationState.Failed or GenerationState.Cancelled;
}

/// <summary>An image a provider produced, at the provider's URL (download it soon: provider URLs expire).</summary>
public sealed record ProviderImage(string Url, int? Width = null, int? Height = null, string? ContentType = null);

/// <summary>What a submission returned. Persist <see cref="Handle"/> (<see cref="ProviderHandle.Serialize"/>) before anything else.</summary>
public sealed record SubmitResult(
    ProviderHandle Handle,
    GenerationState State,
    IReadOnlyList<ProviderImage> Images,
    decimal? Credits,
    decimal? CostUsd,
    TimeSpan? NextPollDelay);

/// <summary>
/// The state of a generation. <see cref="Credits"/> is what the provider charged as far as it is known
/// (0 when the provider refunded a failure). <see cref="Progress"/> is 0–100 when the provider reports it.
/// </summary>
public sealed record PollResult(
    GenerationState State,
    int? Progress,
    IReadOnlyList<ProviderImage> Images,
    decimal? Credits,
    decimal? CostUsd,
    ProviderError? Error,
    TimeSpan? NextPollDelay);

public enum KeyCheckStatus { Valid, Invalid, Unchecked, Error }

/// <summary>The outcome of a cheap read-only key check. <see cref="Balance"/> in the provider's credits when it reports one.</summary>
public sealed record KeyCheckResult(KeyCheckStatus Status, string Message, decimal? Balance = null, ProviderError? Error = null);
