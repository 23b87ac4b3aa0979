using System.Text;

namespace ImageHub.Sandbox.Infrastructure;

/// <summary>
/// What every emulated endpoint does before and after its own work: records the request, checks the
/// provider's auth, and plays the key's queued fault (if one applies).
/// </summary>
internal sealed class SandboxEndpointFilter(ProviderApi api, SandboxState state, string operation, Access access) : IEndpointFilter
{
    public const string BodyItem = "ImageHub.Sandbox.Body";
    public const string KeyItem = "ImageHub.Sandbox.Key";
    public const string TaskFailsItem = "ImageHub.Sandbox.TaskFails";
    private const int MaxBodyChars = 4 * 1024 * 1024;
    private static readonly TimeSpan DefaultSlowDelay = TimeSpan.FromSeconds(2);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var aborted = http.RequestAborted;
        string body;
        bool tooLarge;
        try
        {
            (body, tooLarge) = await ReadBodyAsync(request, aborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            (body, tooLarge) = ("", true);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
        {
            return Results.Empty; // the client went away (or sent a broken body) before the request was read
        }

        var key = access == Access.PublicImage ? ImageOwner(http) : api.ReadKey(request);
        api.OnRequest(http, key);

        IResult? refusal = null;
        if (access != Access.PublicImage)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                refusal = api.Unauthorized(operation, missing: true);
            }
            else if (key.StartsWith("bad", StringComparison.OrdinalIgnoreCase))
            {
                refusal = api.Unauthorized(operation, missing: false);
            }
            else
            {
                http.Items[KeyItem] = key;
            }
        }

        if (refusal is null && tooLarge)
        {
            refusal = api.TooLarge(operation, $"The request body is larger than {MaxBodyChars / (1024 * 1024)} MB.");
        }

        // The fault is taken before the request is recorded: whoever sees the request in the log knows its fault is spent.
        var fault = refusal is null && key is not null
            ? state.TakeFault(api.Id, key, operation, request.Path.Value ?? "", access == Access.Submission)
            : null;
        state.Record(new RecordedRequest(
            api.Id,
            request.Method,
            $"{request.PathBase}{request.Path}{request.QueryString}",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            state.Time.GetUtcNow()));
        http.Items[BodyItem] = body;
        if (refusal is not null)
        {
            return refusal;
        }

        switch (fault?.Kind)
        {
            case SandboxFaultKind.RateLimited:
                if (api.SendsRetryAfterHeader)
                {
                    http.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return api.RateLimited(operation, fault.RetryAfterSeconds);
            case SandboxFaultKind.Redirect:
                return Results.Redirect(fault.Location ?? $"{request.PathBase}/elsewhere{request.Path}", permanent: false, preserveMethod: true);
            case SandboxFaultKind.ServerError:
                return api.ServerError(operation);
            case SandboxFaultKind.Slow:
                if (!await DelayAsync(http, state.Time, fault.Delay ?? DefaultSlowDelay))
                {
                    return Results.Empty;
                }

                break;
            case SandboxFaultKind.Hang:
                await DelayAsync(http, state.Time, Timeout.InfiniteTimeSpan);
                return Results.Empty;
            case SandboxFaultKind.TaskFails:
                http.Items[TaskFailsItem] = true;
                break;
        }

        var result = await next(context);
        switch (fault?.Kind)
        {
            case SandboxFaultKind.MalformedJson when result is IResult inner:
                return new TruncatedResult(inner);
            case SandboxFaultKind.DropAfterAccept:
                http.Abort();
                return Results.Empty;
            default:
                return result;
        }
    }

    /// <summary>Waits, giving up when the client aborts or the host stops; true when the full time passed.</summary>
    internal static async Task<bool> DelayAsync(HttpContext http, TimeProvider time, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan)
        {
            return true;
        }

        var stopping = http.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        try
        {
            await Task.Delay(delay, time, linked.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private string? ImageOwner(HttpContext http)
    {
        var id = http.GetRouteValue("id") as string;
        return id is not null && state.Images.TryGetValue(id, out var image) ? image.Key : null;
    }

    private static async Task<(string Body, bool TooLarge)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return ("", false);
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var buffer = new char[8192];
        var text = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (text.Length + read > MaxBodyChars)
            {
                return (text.ToString(), true);
            }

            text.Append(buffer, 0, read);
        }

        return (text.ToString(), false);
    }
}
