using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;
using Refit;

namespace ImageHub.Providers.Resilience;

/// <summary>A provider's reply, read in full: status, headers and body text.</summary>
internal sealed record ProviderReply(int Status, HttpResponseHeaders Headers, string Body, Uri? RequestUri, TimeSpan? RetryAfter)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public bool IsRedirect => Status is >= 300 and < 400;
}

/// <summary>
/// Runs one Refit call (its resilience handler has already retried what may be retried) and turns every
/// transport failure into a <see cref="ProviderException"/>: a timeout or a cut connection after a POST was
/// sent says it may have been accepted; an open breaker or a full rate-limit queue says when to come back.
/// </summary>
internal static class ProviderCall
{
    public static async Task<ProviderReply> SendAsync(ProviderDescriptor provider, Func<CancellationToken, Task<HttpResponseMessage>> call,
        bool isSubmission, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await call(cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var retryAfter = ProviderResilience.RetryAfterFromHeaders(response.Headers, status, time);
            logger.LogDebug("{Provider} {Method} {Path} -> {Status}", provider.Id, response.RequestMessage?.Method.Method,
                response.RequestMessage?.RequestUri?.AbsolutePath, status);
            return new ProviderReply(status, response.Headers, body, response.RequestMessage?.RequestUri, retryAfter);
        }
        catch (Exception ex)
        {
            var cause = Unwrap(ex);
            switch (cause)
            {
                case TimeoutRejectedException timeout:
                    logger.LogWarning("{Provider} call timed out", provider.Id);
                    throw new ProviderException(ProviderErrors.Timeout(provider, timeout.Timeout, isSubmission), cause);
                case BrokenCircuitException broken:
                    logger.LogWarning("{Provider} circuit is open for this key; the call was not sent", provider.Id);
                    throw new ProviderException(new ProviderError(provider.Id, ProviderErrorKind.ProviderFailure,
                        $"{provider.DisplayName} has been failing repeatedly for this key, so ImageHub paused calls with it for a moment. Try again shortly.",
                        RetryAfter: broken.RetryAfter), cause);
                case RateLimiterRejectedException limited:
                    throw new ProviderException(new ProviderError(provider.Id, ProviderErrorKind.RateLimited,
                        $"{provider.DisplayName} allows only a few generations a minute per key, and this key's queue is full. Try again in a minute.",
                        RetryAfter: limited.RetryAfter ?? TimeSpan.FromMinutes(1)), cause);
                case HttpRequestException http:
                {
                    var mayHaveBeenAccepted = isSubmission && !ProviderResilience.NeverReachedTheProvider(http);
                    logger.LogWarning("{Provider} call failed on the network ({Error})", provider.Id, http.HttpRequestError);
                    throw new ProviderException(ProviderErrors.Network(provider, http, mayHaveBeenAccepted), cause);
                }
                default:
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(cause).Throw();
                    throw;
            }
        }
    }

    /// <summary>Refit may wrap what HttpClient threw in an <see cref="ApiRequestException"/>.</summary>
    private static Exception Unwrap(Exception ex) => ex is ApiRequestException { InnerException: { } inner } ? inner : ex;
}
