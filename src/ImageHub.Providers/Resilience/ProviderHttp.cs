using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ImageHub.Providers.Resilience;

/// <summary>A provider's reply, read in full: status, headers and body text.</summary>
internal sealed record ProviderReply(int Status, HttpResponseHeaders Headers, string Body, Uri RequestUri, TimeSpan? RetryAfter)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>
/// Sends one logical call through the provider's pipeline and turns every transport failure into a
/// <see cref="ProviderException"/> (a timeout or a cut connection after a POST was sent says it may have been accepted).
/// </summary>
internal sealed class ProviderHttp(HttpClient http, ProviderPipelines pipelines, TimeProvider timeProvider, ILogger logger)
{
    internal static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
    };

    public async Task<ProviderReply> SendAsync(
        ProviderDescriptor provider,
        HttpMethod method,
        Uri uri,
        ProviderCredential credential,
        object? jsonBody,
        bool isSubmission,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ProviderPipelines.IsSubmissionKey, isSubmission);
        var attempts = 0;
        try
        {
            using var response = await pipelines.For(provider.Id).ExecuteAsync(
                async (ctx, _) =>
                {
                    attempts++;
                    using var request = new HttpRequestMessage(method, uri);
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    provider.Authorize(request, credential);
                    if (jsonBody is not null)
                    {
                        request.Content = JsonContent.Create(jsonBody, jsonBody.GetType(), options: WireJson);
                    }
                    var reply = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken).ConfigureAwait(false);
                    return reply;
                },
                context,
                state: 0).ConfigureAwait(false);

            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            logger.LogDebug("{Provider} {Method} {Path} -> {Status} after {Attempts} attempt(s)",
                provider.Id, method.Method, uri.AbsolutePath, (int)response.StatusCode, attempts);
            return new ProviderReply((int)response.StatusCode, response.Headers, body, uri,
                ProviderPipelines.RetryAfterOf(response, timeProvider));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException ex)
        {
            logger.LogWarning("{Provider} {Method} {Path} timed out after {Attempts} attempt(s)", provider.Id, method.Method, uri.AbsolutePath, attempts);
            throw new ProviderException(ProviderErrors.Timeout(provider, ex.Timeout, isSubmission), ex);
        }
        catch (BrokenCircuitException ex)
        {
            logger.LogWarning("{Provider} circuit is open; {Method} {Path} not sent", provider.Id, method.Method, uri.AbsolutePath);
            throw new ProviderException(new ProviderError(provider.Id, ProviderErrorKind.ProviderFailure,
                $"{provider.DisplayName} has been failing repeatedly, so ImageHub paused calls to it for a moment. Try again shortly.",
                RetryAfter: ex.RetryAfter), ex);
        }
        catch (HttpRequestException ex)
        {
            var mayHaveBeenAccepted = isSubmission && !ProviderPipelines.NeverReachedTheProvider(ex);
            logger.LogWarning("{Provider} {Method} {Path} failed on the network ({Error}) after {Attempts} attempt(s)",
                provider.Id, method.Method, uri.AbsolutePath, ex.HttpRequestError, attempts);
            throw new ProviderException(ProviderErrors.Network(provider, ex, mayHaveBeenAccepted), ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
