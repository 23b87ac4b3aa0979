using Microsoft.AspNetCore.Http.Features;

namespace ImageHub.Web.Infrastructure;

/// <summary>
/// Request bodies on the JSON API are at most <see cref="MaxBodyBytes"/> (1 MB): a larger one is a 413 problem
/// (RFC 7807) saying so, whether its Content-Length says it at once or the server finds out while reading.
/// </summary>
internal sealed class ApiBodyLimitMiddleware(RequestDelegate next)
{
    public const long MaxBodyBytes = 1024 * 1024;

    public async Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments("/api"))
        {
            await next(http);
            return;
        }
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            await TooLargeAsync(http);
            return;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxBodyBytes;
        try
        {
            await next(http);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !http.Response.HasStarted)
        {
            await TooLargeAsync(http);
            return;
        }
        if (http.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !http.Response.HasStarted) await TooLargeAsync(http);
    }

    private static Task TooLargeAsync(HttpContext http) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: $"The API takes request bodies of at most {MaxBodyBytes / 1024} KB. Send fewer or shorter values.").ExecuteAsync(http);
}
