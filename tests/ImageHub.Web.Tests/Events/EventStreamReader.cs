using System.Net.Http.Headers;
using System.Text.Json;

namespace ImageHub.Web.Tests.Events;

/// <summary>One Server-Sent Event as a client reads it.</summary>
public sealed record StreamedEvent(long Id, string Name, JsonElement Data)
{
    public Guid GenerationId => Data.GetProperty("id").GetGuid();
    public string Status => Data.GetProperty("status").GetString()!;
}

/// <summary>
/// Reads <c>GET /api/v1/events</c> the way an SSE client does (lines, blank line ends an event, ':' lines are comments).
/// Every read waits with a generous hang guard, never a timed assertion.
/// </summary>
public sealed class EventStreamReader : IAsyncDisposable
{
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private EventStreamReader(HttpResponseMessage response, StreamReader reader)
    {
        this.response = response;
        this.reader = reader;
    }

    public List<string> Comments { get; } = [];
    /// <summary>Events without an id (the stream's own signals, such as stream.gap), by name, with their data.</summary>
    public List<(string Name, JsonElement Data)> Signals { get; } = [];
    public long? LastEventId { get; private set; }

    public static async Task<EventStreamReader> OpenAsync(HttpClient api, long? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } id) request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"GET /api/v1/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var reader = new EventStreamReader(response, new StreamReader(stream));
        return reader;
    }

    /// <summary>The next event (comments are collected on the way); fails the test if none comes within the hang guard.</summary>
    public async Task<StreamedEvent> NextAsync()
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromMinutes(2)); // a hang guard, not an assertion on time
        string? id = null, name = null, data = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(giveUp.Token) ?? throw new InvalidOperationException("The stream ended.");
            if (line.Length == 0)
            {
                if (data is null) continue; // the retry: block, or a comment's end
                if (id is null)
                {
                    Signals.Add((name!, JsonDocument.Parse(data).RootElement.Clone()));
                    name = data = null;
                    continue;
                }
                var streamed = new StreamedEvent(long.Parse(id!, System.Globalization.CultureInfo.InvariantCulture), name!, JsonDocument.Parse(data).RootElement.Clone());
                LastEventId = streamed.Id;
                return streamed;
            }
            if (line.StartsWith(':')) Comments.Add(line[1..].Trim());
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }
    }

    /// <summary>Reads events until <paramref name="done"/> holds for the list read so far.</summary>
    public async Task<List<StreamedEvent>> ReadUntilAsync(Func<IReadOnlyList<StreamedEvent>, bool> done)
    {
        var events = new List<StreamedEvent>();
        while (!done(events)) events.Add(await NextAsync());
        return events;
    }

    /// <summary>Reads until a comment line arrives (a heartbeat).</summary>
    public async Task<string> NextCommentAsync()
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromMinutes(2)); // a hang guard, not an assertion on time
        while (true)
        {
            var line = await reader.ReadLineAsync(giveUp.Token) ?? throw new InvalidOperationException("The stream ended.");
            if (line.StartsWith(':')) return line[1..].Trim();
        }
    }

    /// <summary>Reads until the server closes the stream; the comments it sent are in <see cref="Comments"/>.</summary>
    public async Task ReadToEndAsync()
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromMinutes(2)); // a hang guard, not an assertion on time
        while (await reader.ReadLineAsync(giveUp.Token) is { } line)
        {
            if (line.StartsWith(':')) Comments.Add(line[1..].Trim());
        }
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }

    public static bool IsFinal(string name) => name is "generation.succeeded" or "generation.failed" or "generation.canceled" or "generation.needs_review";
}
