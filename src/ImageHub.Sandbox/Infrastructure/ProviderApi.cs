using System.Text.Json;
using ImageHub.Sandbox.Imaging;

namespace ImageHub.Sandbox.Infrastructure;

/// <summary>Who may call an endpoint and how its key is found.</summary>
internal enum Access
{
    /// <summary>Needs the provider's auth header with a key that is not refused.</summary>
    Key,

    /// <summary>Like <see cref="Key"/>, and it is a generation submission (TaskFails applies; a resend shows in the counters).</summary>
    Submission,

    /// <summary>A public image URL: no auth; the owning key (for faults) comes from the image id in the route.</summary>
    PublicImage,
}

/// <summary>One emulated provider: its auth style, its error bodies and its endpoints.</summary>
internal abstract class ProviderApi(SandboxState state, PngCache pngs, string prefix)
{
    protected SandboxState State { get; } = state;

    protected PngCache Pngs { get; } = pngs;

    public abstract string Id { get; }

    public abstract JsonSerializerOptions Json { get; }

    /// <summary>The key from the provider's auth header(s); null when none was sent.</summary>
    public abstract string? ReadKey(HttpRequest request);

    public abstract IResult Unauthorized(string operation, bool missing);

    public abstract IResult RateLimited(string operation, int retryAfterSeconds);

    /// <summary>Whether a 429 carries a Retry-After header (Qolaba documents only the body's <c>retryAfter</c>).</summary>
    public virtual bool SendsRetryAfterHeader => true;

    public abstract IResult ServerError(string operation);

    /// <summary>413 in the provider's shape: the body is larger than the sandbox reads.</summary>
    public abstract IResult TooLarge(string operation, string message);

    /// <summary>Called for every request, before the key is checked (Coals adds its rate-limit headers here, so even a 401 has them).</summary>
    public virtual void OnRequest(HttpContext context, string? key)
    {
    }

    public abstract void Map(RouteGroupBuilder group);

    /// <summary>The absolute root this provider's public URLs hang from, e.g. http://127.0.0.1:5080/sandbox/koala/.</summary>
    protected string PublicRoot(HttpRequest request) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}{prefix}/{Id}/";

    /// <summary>The path (from the host) of this provider's mount point, e.g. /sandbox/kolbo.</summary>
    protected string MountPath(HttpRequest request) => $"{request.PathBase}{prefix}/{Id}";

    protected RouteHandlerBuilder MapOperation(RouteGroupBuilder group, string method, string pattern, string operation, Access access, Delegate handler) =>
        group.MapMethods(pattern, [method], handler)
            .AddEndpointFilter(new SandboxEndpointFilter(this, State, operation, access))
            .ExcludeFromDescription();

    protected static string Body(HttpContext context) =>
        context.Items.TryGetValue(SandboxEndpointFilter.BodyItem, out var body) ? body as string ?? "" : "";

    protected static string Key(HttpContext context) =>
        context.Items.TryGetValue(SandboxEndpointFilter.KeyItem, out var key) ? key as string ?? "" : "";

    protected static bool TaskFails(HttpContext context) => context.Items.ContainsKey(SandboxEndpointFilter.TaskFailsItem);

    protected IResult Png(SandboxImage image) =>
        Results.Bytes(Pngs.Get(image.Prompt, image.Seed, image.Width, image.Height), "image/png");

    protected static (int Width, int Height) SizeForAspectRatio(string ratio, int longSide)
    {
        var parts = ratio.Split(':');
        var w = double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        var h = double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        static int RoundTo8(double v) => Math.Max(8, (int)Math.Round(v / 8) * 8);
        return w >= h ? (longSide, RoundTo8(longSide * h / w)) : (RoundTo8(longSide * w / h), longSide);
    }
}
