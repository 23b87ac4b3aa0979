namespace ImageHub.Providers;

/// <summary>The <c>Providers</c> configuration section (shared settings).</summary>
public sealed class ProvidersOptions
{
    public const string SectionName = "Providers";

    /// <summary>Lets the image fetcher reach private, loopback and link-local addresses (sandbox mode and tests only).</summary>
    public bool AllowPrivateNetworks { get; set; }

    public ImageFetchOptions ImageFetch { get; set; } = new();

    public ProviderResilienceOptions Resilience { get; set; } = new();
}

public sealed class ImageFetchOptions
{
    /// <summary>Long: Koala's image URLs block until the image is ready (seconds, rarely hours).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    public long MaxBytes { get; set; } = 40 * 1024 * 1024;

    public int MaxRedirects { get; set; } = 5;
}

public sealed class ProviderResilienceOptions
{
    /// <summary>Per attempt, for generation POSTs (Qolaba's synchronous mode answers when the images are done).</summary>
    public TimeSpan SubmitTimeout { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>Per attempt, for polls and reads.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRetries { get; set; } = 3;

    /// <summary>First back-off delay (exponential with jitter) when the provider gives no Retry-After.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Retry-After / X-RateLimit-Reset is honoured in-process up to this; beyond it the error surfaces as RateLimited with RetryAfter.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 10;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest JSON reply read from a provider.</summary>
    public long MaxResponseBytes { get; set; } = 8 * 1024 * 1024;
}

/// <summary>Base URL of one provider: what the client appends the documented relative paths to.</summary>
public abstract class ProviderEndpointOptions
{
    private Uri _baseUrl;

    protected ProviderEndpointOptions(string defaultBaseUrl) => _baseUrl = new Uri(defaultBaseUrl);

    public Uri BaseUrl
    {
        get => _baseUrl;
        set => _baseUrl = WithTrailingSlash(value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>How long a fetched model list is kept.</summary>
    public TimeSpan ModelsCacheLifetime { get; set; } = TimeSpan.FromMinutes(30);

    internal static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
