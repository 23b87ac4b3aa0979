using System.Diagnostics;
using System.Globalization;
using ImageHub.Providers;
using Microsoft.Extensions.Http;

namespace ImageHub.Web.Infrastructure;

/// <summary>
/// The one log line of an outgoing call (replacing HttpClient's four: start, sending, headers, end) at Information,
/// with the details at Debug, and the provider-error counter. Innermost handler: each attempt of a retried call is
/// one line. The query string is never written (a provider may take a key there); neither are headers or bodies.
/// </summary>
internal sealed class ProviderCallHandler(string provider, ILogger logger, ImageHubMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or TimeoutException or IOException)
        {
            var code = e is HttpRequestException ? "network" : "timeout";
            metrics.ProviderError(provider, code);
            logger.LogInformation("{Provider} {Method} {Path} failed after {Elapsed} ms: {Code}", provider, request.Method, request.RequestUri?.AbsolutePath,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, code);
            logger.LogDebug(e, "{Provider} {Method} {Path} failed", provider, request.Method, request.RequestUri?.AbsolutePath);
            throw;
        }
        var status = (int)response.StatusCode;
        if (status >= 400) metrics.ProviderError(provider, status.ToString(CultureInfo.InvariantCulture));
        logger.LogInformation("{Provider} {Method} {Path} answered {Status} in {Elapsed} ms", provider, request.Method, request.RequestUri?.AbsolutePath, status,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("{Provider} {Method} {Path}: HTTP/{Version}, sent {RequestType} ({RequestLength} bytes), got {ResponseType} ({ResponseLength} bytes)",
                provider, request.Method, request.RequestUri?.AbsolutePath, response.Version,
                request.Content?.Headers.ContentType?.MediaType, request.Content?.Headers.ContentLength,
                response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentLength);
        }
        return response;
    }

    /// <summary>The provider a named HttpClient talks to (its Refit interface names it), or the client's name.</summary>
    public static string ProviderOf(string? clientName) =>
        ProviderIds.All.FirstOrDefault(id => clientName?.Contains(id, StringComparison.OrdinalIgnoreCase) == true)
        ?? (clientName == Providers.Images.ImageFetcher.HttpClientName ? "image-fetch" : clientName ?? "http");
}

/// <summary>Puts a <see cref="ProviderCallHandler"/> innermost in every named HttpClient (HttpClient's own loggers are removed).</summary>
internal sealed class ProviderCallLoggingFilter(ILoggerFactory loggers, ImageHubMetrics metrics) : IHttpMessageHandlerBuilderFilter
{
    private readonly ILogger logger = loggers.CreateLogger("ImageHub.ProviderCalls");

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        builder.AdditionalHandlers.Add(new ProviderCallHandler(ProviderCallHandler.ProviderOf(builder.Name), logger, metrics));
    };
}
