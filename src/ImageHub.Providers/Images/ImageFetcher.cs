using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageHub.Providers.Images;

/// <summary>An image downloaded from a provider URL: bytes, the content type its magic bytes prove, and its pixel size.</summary>
public sealed record FetchedImage(byte[] Bytes, string ContentType, int Width, int Height, Uri Url);

public enum ImageFetchFailure { UrlRefused, HttpError, NotAnImage, TooLarge, Timeout, Network }

/// <summary>Why an image could not be fetched, in words a person can act on (no secrets: image URLs carry no key).</summary>
public sealed class ImageFetchException(ImageFetchFailure reason, string message, int? httpStatus = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ImageFetchFailure Reason { get; } = reason;
    public int? HttpStatus { get; } = httpStatus;
}

public interface IImageFetcher
{
    /// <summary>Downloads one image. Throws <see cref="ImageFetchException"/>; honours <paramref name="cancellationToken"/>.</summary>
    Task<FetchedImage> FetchAsync(Uri url, CancellationToken cancellationToken = default);
}

/// <summary>
/// Downloads provider images with a size cap, a long timeout (Koala's URLs block until ready), a magic-byte
/// content check, and SSRF protection: http/https only, and the RESOLVED address of every connection (so
/// redirects too) must be public unless <see cref="ProvidersOptions.AllowPrivateNetworks"/> is set.
/// </summary>
public sealed class ImageFetcher(HttpClient httpClient, IOptionsMonitor<ProvidersOptions> options, TimeProvider timeProvider, ILogger<ImageFetcher> logger)
    : IImageFetcher
{
    public const string HttpClientName = "ImageHub.ImageFetcher";

    public async Task<FetchedImage> FetchAsync(Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ImageFetchException(ImageFetchFailure.UrlRefused,
                $"ImageHub only fetches images over http or https, not \"{(url.IsAbsoluteUri ? url.Scheme : "a relative URL")}\".");
        }
        var o = options.CurrentValue.ImageFetch;
        using var timeout = new CancellationTokenSource(o.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("image/png, image/jpeg, image/webp, image/*;q=0.8");
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var finalUrl = response.RequestMessage?.RequestUri ?? url;
            if (!response.IsSuccessStatusCode)
            {
                throw new ImageFetchException(ImageFetchFailure.HttpError,
                    $"The image at {Describe(url)} could not be downloaded: the provider answered {(int)response.StatusCode}.", (int)response.StatusCode);
            }
            if (response.Content.Headers.ContentLength is { } declared && declared > o.MaxBytes)
            {
                throw TooLarge(url, o.MaxBytes);
            }
            var bytes = await ReadCappedAsync(response.Content, o.MaxBytes, url, linked.Token).ConfigureAwait(false);
            var info = ImageFormat.Identify(bytes)
                ?? throw new ImageFetchException(ImageFetchFailure.NotAnImage,
                    $"The file at {Describe(url)} is not a PNG, JPEG or WebP image (declared {response.Content.Headers.ContentType?.MediaType ?? "no type"}).");
            logger.LogDebug("Fetched {Bytes} bytes {Type} {Width}x{Height} from {Host}", bytes.Length, info.ContentType, info.Width, info.Height, url.Host);
            return new FetchedImage(bytes, info.ContentType, info.Width, info.Height, finalUrl);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            throw new ImageFetchException(ImageFetchFailure.Timeout,
                $"The image at {Describe(url)} was not ready within {o.Timeout.TotalMinutes:0.#} minutes.", inner: ex);
        }
        catch (HttpRequestException ex) when (FindRefusal(ex) is { } refusal)
        {
            throw new ImageFetchException(ImageFetchFailure.UrlRefused, refusal.Message, inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ImageFetchException(ImageFetchFailure.Network,
                $"The image at {Describe(url)} could not be downloaded: {ex.HttpRequestError switch
                {
                    HttpRequestError.NameResolutionError => "its host name could not be resolved",
                    HttpRequestError.ConnectionError => "the connection could not be made",
                    HttpRequestError.ResponseEnded => "the connection closed early",
                    _ => "the network failed",
                }}.", inner: ex);
        }
    }

    private static string Describe(Uri url) => $"{url.Scheme}://{url.Authority}{url.AbsolutePath}";

    private static ImageFetchException TooLarge(Uri url, long max) =>
        new(ImageFetchFailure.TooLarge, $"The image at {Describe(url)} is larger than the {max / (1024 * 1024)} MB ImageHub accepts.");

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, long max, Uri url, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max) throw TooLarge(url, max);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>Whether the SSRF guard refused the address (then retrying is pointless).</summary>
    internal static bool IsRefusal(Exception? ex) => FindRefusal(ex) is not null;

    private static UrlRefusedException? FindRefusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is UrlRefusedException refused) return refused;
        }
        return null;
    }

    /// <summary>The primary handler: connects only to addresses the guard allows, decided after DNS resolution.</summary>
    internal static SocketsHttpHandler CreateHandler(IOptionsMonitor<ProvidersOptions> options) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = Math.Max(1, options.CurrentValue.ImageFetch.MaxRedirects),
        AutomaticDecompression = DecompressionMethods.All,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var allowPrivate = options.CurrentValue.AllowPrivateNetworks;
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            var allowed = allowPrivate ? addresses : addresses.Where(a => !NetworkGuard.IsNonPublic(a)).ToArray();
            if (allowed.Length == 0)
            {
                throw new UrlRefusedException(addresses.Length == 0
                    ? $"The image host {host} did not resolve."
                    : $"ImageHub refused to fetch an image from {host}: it resolves to a private, loopback or link-local address ({addresses[0]}). " +
                      "Only public addresses are allowed (Providers:AllowPrivateNetworks is off).");
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private sealed class UrlRefusedException(string message) : Exception(message);
}
