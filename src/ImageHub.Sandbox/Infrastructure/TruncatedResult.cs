namespace ImageHub.Sandbox.Infrastructure;

/// <summary>The MalformedJson fault: runs the real answer, then sends only the first half of its bytes.</summary>
internal sealed class TruncatedResult(IResult inner) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await inner.ExecuteAsync(httpContext);
        }
        finally
        {
            response.Body = original;
        }

        var bytes = buffer.ToArray();
        var cut = bytes.Length / 2;
        response.ContentLength = cut;
        await original.WriteAsync(bytes.AsMemory(0, cut), httpContext.RequestAborted);
    }
}
