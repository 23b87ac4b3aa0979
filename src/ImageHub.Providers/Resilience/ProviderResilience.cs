using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace ImageHub.Providers.Resilience;

/// <summary>
/// The resilience handler every provider client's HttpClient carries (Microsoft.Extensions.Http.Resilience):
/// retry (Retry-After from the header, X-RateLimit-Reset, or the body's <c>retryAfter</c>) → circuit breaker →
/// optional submission rate limit → per-attempt timeout. One pipeline per API key (selected by the key's
/// SHA-256 fingerprint; the key itself never names anything), so a failing key opens its own breaker and never
/// pauses the provider for the other keys.
/// A generation POST is retried only when the provider cannot have accepted it (the connection was never
/// made, 429, 503); reads are also retried on timeouts, cut connections, 408, 500, 502 and 504.
/// </summary>
internal static class ProviderResilience
{
    /// <summary>
    /// Adds the handler to a provider's client. <paramref name="submissionsPerMinute"/> gives the per-key limit
    /// on generation POSTs (Kolbo documents 10 a minute), 0 for none.
    /// </summary>
    public static IHttpClientBuilder AddProviderResilience(this IHttpClientBuilder builder, string providerId,
        Func<IServiceProvider, int>? submissionsPerMinute = null)
    {
        builder.AddResilienceHandler("imagehub-" + providerId, (pipeline, context) =>
        {
            var services = context.ServiceProvider;
            var o = services.GetRequiredService<IOptionsMonitor<ProvidersOptions>>().CurrentValue.Resilience;
            var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
            pipeline.TimeProvider = time;
            pipeline.AddRetry(Retry(o, time));
            pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
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
            });
            var perMinute = submissionsPerMinute?.Invoke(services) ?? 0;
            if (perMinute > 0)
            {
                // A submission waits its turn (a queue of one minute's worth per key); beyond that it is refused as rate limited.
                var limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    SegmentsPerWindow = 6,
                    QueueLimit = perMinute,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
                context.OnPipelineDisposed(limiter.Dispose);
                pipeline.AddRateLimiter(new RateLimiterStrategyOptions
                {
                    RateLimiter = args => IsSubmission(args.Context.GetRequestMessage())
                        ? limiter.AcquireAsync(1, args.Context.CancellationToken)
                        : ValueTask.FromResult<RateLimitLease>(NoLimit),
                });
            }
            pipeline.AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(
                    IsSubmission(args.Context.GetRequestMessage()) ? o.SubmitTimeout : o.ReadTimeout),
            });
        }).SelectPipelineBy(_ => KeyFingerprint);
        return builder;
    }

    private static readonly RateLimitLease NoLimit = new NoLimitLease();

    private sealed class NoLimitLease : RateLimitLease
    {
        public override bool IsAcquired => true;
        public override IEnumerable<string> MetadataNames => [];
        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    /// <summary>A POST may create (and charge for) something; everything else is a read.</summary>
    internal static bool IsSubmission(HttpRequestMessage? request) => request?.Method == HttpMethod.Post;

    /// <summary>The first 16 hex digits of the SHA-256 of the key the request carries (Authorization or X-API-Key).</summary>
    internal static string KeyFingerprint(HttpRequestMessage request)
    {
        var key = request.Headers.Authorization?.Parameter
            ?? (request.Headers.TryGetValues("X-API-Key", out var values) ? values.FirstOrDefault() : null);
        if (string.IsNullOrEmpty(key)) return "no-key";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    /// <summary>
    /// The image fetcher's retries: an image GET is retried like every other GET (a 5xx, 408, 429 or a dropped
    /// connection), so one transient error does not lose an image the provider already made and charged for.
    /// </summary>
    public static IHttpClientBuilder AddImageFetchRetry(this IHttpClientBuilder builder)
    {
        builder.AddResilienceHandler("imagehub-image-fetch", (pipeline, context) =>
        {
            var services = context.ServiceProvider;
            var o = services.GetRequiredService<IOptionsMonitor<ProvidersOptions>>().CurrentValue.Resilience;
            var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
            pipeline.TimeProvider = time;
            // An address the SSRF guard refused stays refused: no retry.
            pipeline.AddRetry(Retry(o, time, neverRetry: Images.ImageFetcher.IsRefusal));
        });
        return builder;
    }

    /// <summary>
    /// The retry both pipelines use: exponential backoff with jitter, the provider's Retry-After when it says one, and
    /// only what <see cref="ShouldRetryAsync"/> allows (never a submission that may have been accepted), nor an exception
    /// <paramref name="neverRetry"/> names.
    /// </summary>
    private static RetryStrategyOptions<HttpResponseMessage> Retry(ProviderResilienceOptions o, TimeProvider time, Func<Exception?, bool>? neverRetry = null) => new()
    {
        MaxRetryAttempts = Math.Max(1, o.MaxRetries),
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = o.RetryBaseDelay,
        ShouldHandle = async args => o.MaxRetries > 0 && neverRetry?.Invoke(args.Outcome.Exception) != true
            && await ShouldRetryAsync(args.Outcome, args.Context.GetRequestMessage(), o.MaxRetryAfter, time).ConfigureAwait(false),
        DelayGenerator = async args => args.Outcome.Result is { } response ? await RetryAfterAsync(response, time).ConfigureAwait(false) : null,
    };

    internal static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, TimeSpan maxRetryAfter, TimeProvider time)
    {
        var submission = IsSubmission(request);
        if (outcome.Exception is { } exception)
        {
            return exception switch
            {
                BrokenCircuitException or RateLimiterRejectedException => false,
                TimeoutRejectedException => !submission,
                HttpRequestException http => !submission || NeverReachedTheProvider(http),
                _ => false,
            };
        }

        if (outcome.Result is not { } response) return false;
        var status = (int)response.StatusCode;
        if (status is 429 or 503)
        {
            // Beyond the cap the app's queue waits instead of this call: the error surfaces as RateLimited with RetryAfter.
            var wait = await RetryAfterAsync(response, time).ConfigureAwait(false);
            return wait is null || wait <= maxRetryAfter;
        }
        return !submission && status is 408 or 500 or 502 or 504;
    }

    /// <summary>True when the request cannot have reached the provider (so a POST may be resent safely).</summary>
    internal static bool NeverReachedTheProvider(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;

    /// <summary>
    /// How long the provider asks to wait: Retry-After (seconds or HTTP date); on a 429, X-RateLimit-Reset
    /// (seconds, or a Unix time); else a <c>retryAfter</c>/<c>retry_after</c> number in the JSON body (Qolaba's 429).
    /// </summary>
    public static async ValueTask<TimeSpan?> RetryAfterAsync(HttpResponseMessage response, TimeProvider time)
    {
        if (RetryAfterFromHeaders(response.Headers, (int)response.StatusCode, time) is { } fromHeaders) return fromHeaders;
        if ((int)response.StatusCode is not (429 or 503)) return null;
        // Error bodies are small: buffered, so the client still reads them afterwards.
        await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return ProviderErrors.ParseBody(body).RetryAfter;
    }

    /// <summary>Retry-After (seconds or HTTP date) or, on a 429, X-RateLimit-Reset (seconds, or a Unix time).</summary>
    public static TimeSpan? RetryAfterFromHeaders(System.Net.Http.Headers.HttpResponseHeaders headers, int status, TimeProvider time)
    {
        var now = time.GetUtcNow();
        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta) return Clamp(delta);
            if (retryAfter.Date is { } date) return Clamp(date - now);
        }
        if (status == 429
            && headers.TryGetValues("X-RateLimit-Reset", out var values)
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
}
