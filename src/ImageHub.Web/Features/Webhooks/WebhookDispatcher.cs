using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ImageHub.Providers.Images;
using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Webhooks;

/// <summary><c>Webhooks:*</c>.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Lets endpoints be on private, loopback or link-local addresses (off: the SSRF guard refuses them).</summary>
    public bool AllowPrivateNetworks { get; set; }
    /// <summary>How often the dispatcher looks for due deliveries (it is also woken when one is queued).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>The wait after the first failed attempt; doubled after each further one (at most an hour).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Attempts before a delivery is given up (Failed).</summary>
    public int MaxAttempts { get; set; } = 8;
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Wakes the dispatcher when a delivery was queued.</summary>
public sealed class WebhookSignal
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Wake()
    {
        if (signal.CurrentCount == 0)
        {
            try { signal.Release(); } catch (SemaphoreFullException) { }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}

/// <summary>Standard Webhooks signing: <c>v1,</c> + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)); the secret is <c>whsec_</c> + base64(key).</summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    public static string Secret(byte[] key) => SecretPrefix + Convert.ToBase64String(key);

    public static string Sign(byte[] key, string messageId, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}")));
}

/// <summary>
/// Sends queued <see cref="WebhookDelivery"/> rows (every workspace's): POST the stored body with the Standard Webhooks
/// headers; a 2xx marks it Delivered; anything else (or no answer) schedules the next attempt with exponential backoff
/// until <see cref="WebhookOptions.MaxAttempts"/>. Connections go only to public addresses unless
/// <see cref="WebhookOptions.AllowPrivateNetworks"/> (decided after DNS resolution, so a name cannot rebind to a private address).
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory clients,
    WebhookSignal signal,
    WebhookKeys keys,
    IOptionsMonitor<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string ClientName = "webhooks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "The webhook dispatcher failed a round; it tries again");
            }
            try
            {
                await signal.WaitAsync(options.CurrentValue.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends the deliveries due now; returns how many were attempted.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.GetUtcNow();
        var due = await db.Set<WebhookDelivery>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
            .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt).Take(20).ToListAsync(ct);
        if (due.Count == 0) return 0;
        var endpointIds = due.Select(d => d.EndpointId).Distinct().ToList();
        var endpoints = await db.Set<WebhookEndpoint>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .Where(e => endpointIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
        await Task.WhenAll(due.Select(d => AttemptAsync(d, endpoints.GetValueOrDefault(d.EndpointId), ct)));
        await db.SaveChangesAsync(ct);
        return due.Count;
    }

    private async Task AttemptAsync(WebhookDelivery delivery, WebhookEndpoint? endpoint, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var attemptAt = time.GetUtcNow();
        delivery.Attempts++;
        delivery.LastAttemptAt = attemptAt;
        if (endpoint is null)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            delivery.LastError = "The endpoint was removed.";
            return;
        }
        try
        {
            var timestamp = attemptAt.ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
            {
                Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", delivery.MessageId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSigner.Sign(keys.Unprotect(endpoint.ProtectedKey), delivery.MessageId, timestamp, delivery.Payload));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(settings.Timeout);
            using var response = await clients.CreateClient(ClientName).SendAsync(request, timeout.Token);
            delivery.LastStatusCode = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                delivery.Status = WebhookDeliveryStatus.Delivered;
                delivery.LastError = null;
                return;
            }
            delivery.LastError = $"The endpoint answered {(int)response.StatusCode} {response.ReasonPhrase}.";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or WebhookRefusedException && !ct.IsCancellationRequested)
        {
            delivery.LastStatusCode = null;
            delivery.LastError = Clip(e is TaskCanceledException ? $"No answer within {settings.Timeout.TotalSeconds:0} s." : (e.InnerException as WebhookRefusedException)?.Message ?? e.Message);
        }
        if (delivery.Attempts >= settings.MaxAttempts)
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            return;
        }
        var wait = settings.RetryBaseDelay * Math.Pow(2, delivery.Attempts - 1);
        delivery.NextAttemptAt = attemptAt + (wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait);
    }

    private static string Clip(string text) => text.Length <= 500 ? text : text[..499] + "…";

    /// <summary>The handler: connects only to addresses the guard allows, decided after DNS resolution; no redirects.</summary>
    public static SocketsHttpHandler CreateHandler(IOptionsMonitor<WebhookOptions> options) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var allowed = await WebhookTargets.AllowedAddressesAsync(context.DnsEndPoint.Host, options.CurrentValue.AllowPrivateNetworks, cancellationToken);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

/// <summary>A webhook target the SSRF guard refuses (or that does not resolve).</summary>
public sealed class WebhookRefusedException(string message) : Exception(message);

/// <summary>The SSRF guard for webhook targets: the same rule as image fetches (<see cref="NetworkGuard"/>), with its own switch.</summary>
public static class WebhookTargets
{
    public static async Task<IPAddress[]> AllowedAddressesAsync(string host, bool allowPrivate, CancellationToken ct)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        }
        catch (SocketException)
        {
            throw new WebhookRefusedException($"The host {host} did not resolve.");
        }
        var allowed = allowPrivate ? addresses : addresses.Where(a => !NetworkGuard.IsNonPublic(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new WebhookRefusedException(addresses.Length == 0
                ? $"The host {host} did not resolve."
                : $"{host} resolves to a private, loopback or link-local address ({addresses[0]}); webhooks go only to public addresses (Webhooks:AllowPrivateNetworks is off).");
        }
        return allowed;
    }
}
