using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ImageHub.Providers.Resilience;

/// <summary>
/// One Polly pipeline per provider (so one circuit breaker per provider): retry (jitter, Retry-After) →
/// circuit breaker → per-attempt timeout. Whether a failure may be retried depends on the request: reads
/// and polls retry on transient failures; a generation POST retries only what the provider cannot have
/// accepted (connection never made, 429, 503).
/// </summary>
public sealed class ProviderPipelines(IOptionsMonitor<ProvidersOptions> options, TimeProvider timeProvider)
{
    internal static readonly ResiliencePropertyKey<bool> IsSubmissionKey = new("imagehub.is-submission");

    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new(StringComparer.Ordinal);

    public ResiliencePipeline<HttpResponseMessage> For(string providerId) =>
        _pipelines.GetOrAdd(providerId, _ => Build(options.CurrentValue.Resilience));

    private ResiliencePipeline<HttpResponseMessage> Build(ProviderResilienceOptions o) =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, o.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    o.MaxRetries > 0 && ShouldRetry(args.Outcome, args.Context.Properties.GetValue(IsSubmissionKey, false), o.MaxRetryAfter, timeProvider)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result is { } response ? RetryAfterOf(response, timeProvider) : null),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = o.BreakerFailureRatio,
                MinimumThroughput = Math.Max(2, o.BreakerMinimumThroughput),
                SamplingDuration = o.BreakerSamplingDuration,
                BreakDuration = o.BreakerBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } r } => (int)r.StatusCode >= 500,
                    _ => false,
                }),
            })
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(
                    args.Context.Properties.GetValue(IsSubmissionKey, false) ? o.SubmitTimeout : o.ReadTimeout),
            })
            .Build();

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, bool isSubmission, TimeSpan maxRetryAfter, TimeProvider timeProvider)
    {
        if (outcome.Exception is { } exception)
        {
            return exception switch
            {
                BrokenCircuitException => false,
                TimeoutRejectedException => !isSubmission,
                HttpRequestException http => !isSubmission || NeverReachedTheProvider(http),
                _ => false,
            };
        }

        if (outcome.Result is not { } response) return false;
        var status = (int)response.StatusCode;
        if (status == 429 || status == 503)
        {
            // Beyond the cap the app's queue waits instead of this call: surface RateLimited with RetryAfter.
            var wait = RetryAfterOf(response, timeProvider);
            return wait is null || wait <= maxRetryAfter;
        }
        return !isSubmission && status is 408 or 500 or 502 or 504;
    }

    /// <summary>True when the request cannot have reached the provider (so a POST may be resent safely).</summary>
    internal static bool NeverReachedTheProvider(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;

    /// <summary>Retry-After (seconds or HTTP date) or, on a 429, X-RateLimit-Reset (seconds, or a Unix time).</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta) return Clamp(delta);
            if (retryAfter.Date is { } date) return Clamp(date - now);
        }
        if ((int)response.StatusCode == 429
            && response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var reset))
        {
            // Large values are a Unix time (seconds, or milliseconds); small ones a number of seconds.
            if (reset > 1e12) return Clamp(DateTimeOffset.FromUnixTimeMilliseconds((long)reset) - now);
            if (reset > 1e9) return Clamp(DateTimeOffset.FromUnixTimeSeconds((long)reset) - now);
            return Clamp(TimeSpan.FromSeconds(reset));
        }
        return null;
    }

    private static TimeSpan Clamp(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;

    internal static bool IsTransientStatus(HttpStatusCode status) => (int)status is 408 or 429 or >= 500;
}
