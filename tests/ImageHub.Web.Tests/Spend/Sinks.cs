using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ImageHub.Web.Tests.Spend;

/// <summary>A request a webhook endpoint received.</summary>
public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body, int Answered);

/// <summary>A webhook receiver on loopback (Kestrel): records every POST and answers 500 to the first one on <c>failFirstOn</c>.</summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string? failFirstOn;
    private int failuresLeft;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();
    public string BaseUrl { get; }

    private WebhookSink(WebApplication app, string baseUrl, string? failFirstOn)
    {
        this.app = app;
        BaseUrl = baseUrl;
        this.failFirstOn = failFirstOn;
        failuresLeft = failFirstOn is null ? 0 : 1;
    }

    public static async Task<WebhookSink> StartAsync(string? failFirstOn = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookSink? sink = null;
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var status = http.Request.Path == sink!.failFirstOn && Interlocked.Decrement(ref sink.failuresLeft) >= 0 ? 500 : 200;
            sink.Received.Enqueue(new ReceivedWebhook(http.Request.Path, http.Request.Headers["webhook-id"].ToString(),
                http.Request.Headers["webhook-timestamp"].ToString(), http.Request.Headers["webhook-signature"].ToString(), body, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        sink = new WebhookSink(app, app.Urls.First().TrimEnd('/'), failFirstOn);
        return sink;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

/// <summary>A minimal SMTP server on loopback that accepts every message and keeps its text.</summary>
public sealed class SmtpSink : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();

    public ConcurrentQueue<string> Messages { get; } = new();
    public ConcurrentQueue<string> Recipients { get; } = new();
    public int Port { get; }

    public SmtpSink()
    {
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 sink ESMTP");
        try
        {
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                    case "HELO":
                        await writer.WriteLineAsync("250 sink");
                        break;
                    case "RCPT":
                        Recipients.Enqueue(line[(line.IndexOf(':') + 1)..].Trim().Trim('<', '>'));
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go ahead");
                        var text = new StringBuilder();
                        while (await reader.ReadLineAsync(stop.Token) is { } data && data != ".") text.AppendLine(data.StartsWith("..", StringComparison.Ordinal) ? data[1..] : data);
                        Messages.Enqueue(text.ToString());
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException) { }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }
}
