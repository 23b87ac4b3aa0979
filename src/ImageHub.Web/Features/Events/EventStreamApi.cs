using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Events;

/// <summary>
/// <c>GET /api/v1/events</c>: the workspace's generation changes as Server-Sent Events, read from the event log
/// (<see cref="GenerationEvent"/>), so it works from any instance whichever ran the job, and a reconnect with
/// <c>Last-Event-ID</c> resumes where it stopped. Woken by the <see cref="GenerationNotifier"/> (every instance hears
/// every change), and it also re-reads at each heartbeat, so a lost notification only delays. The caller's credential
/// is checked again at each heartbeat (<see cref="CredentialRecheck"/>) and at once when any instance ends the account's
/// sessions or revokes one of its tokens: a revoked token, a disabled account or a removed member loses the stream.
/// </summary>
public static class EventStreamApi
{
    public const string LastEventIdHeader = "Last-Event-ID";

    public static IEndpointRouteBuilder MapEventStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/events", StreamAsync).RequireAuthorization(ApiPolicies.ApiUser).RequireScope(ApiScopes.Read).WithTags("ImageHub")
            .WithSummary("The workspace's generation changes as Server-Sent Events")
            .WithDescription("Events generation.queued, generation.running, generation.succeeded, generation.failed, generation.canceled and " +
                "generation.needs_review; data is JSON {id, status, provider, progress}. Each event has an id: reconnect with the " +
                "Last-Event-ID header (or ?lastEventId=) to resume without gaps, within Events:Retention (an hour by default). " +
                "Without it the stream starts with the next change. When the log no longer holds what followed that id (older than the " +
                "retention, or an id from another installation), the stream first sends an event stream.gap, with no id, whose data " +
                "{lastEventId, message} says so: read GET /api/v1/generations for the current state. An idle stream sends a comment line every Events:Heartbeat. " +
                "The stream ends (after a comment saying why) when its token is revoked or expires, its account is disabled or " +
                "its owner leaves the workspace; the credential is checked again at every heartbeat.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    /// <summary>The SSE event name of a status: the three working states are all "running" (data.status says which).</summary>
    public static string EventName(GenerationStatus status) => status switch
    {
        GenerationStatus.Queued => "generation.queued",
        GenerationStatus.Submitting or GenerationStatus.Running or GenerationStatus.Downloading => "generation.running",
        GenerationStatus.Succeeded => "generation.succeeded",
        GenerationStatus.Failed => "generation.failed",
        GenerationStatus.Canceled => "generation.canceled",
        GenerationStatus.NeedsReview => "generation.needs_review",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> StreamAsync(
        HttpContext http, string? lastEventId, CurrentWorkspace workspace, WorkspaceAccess access, IDbContextFactory<AppDbContext> dbFactory,
        GenerationNotifier generations, MembershipNotifier memberships, AccountSessions sessions, CredentialRecheck credentials,
        IOptions<EventsOptions> options)
    {
        var ct = http.RequestAborted;
        var resume = http.Request.Headers[LastEventIdHeader].FirstOrDefault() is { Length: > 0 } header ? header : lastEventId;
        long? from = null;
        if (!string.IsNullOrEmpty(resume))
        {
            if (!long.TryParse(resume, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return Failure.Invalid(LastEventIdHeader, $"Last-Event-ID must be the id of an event this stream sent (a whole number), not \"{Clip(resume)}\".").ToProblem();
            from = parsed;
        }
        if (!workspace.IsSet || workspace.UserId is not { } userId) return Failure.Forbidden("Choose a workspace first.").ToProblem();
        var workspaceId = workspace.Id;

        using var wake = new SemaphoreSlim(0);
        var recheckMembership = 0;
        var recheckCredential = 0;
        void Wake()
        {
            if (wake.CurrentCount == 0) wake.Release();
        }
        using var generationSubscription = generations.Subscribe(workspaceId, _ =>
        {
            Wake();
            return Task.CompletedTask;
        });
        using var membershipSubscription = memberships.Subscribe(userId, change =>
        {
            if (change.WorkspaceId == workspaceId)
            {
                Interlocked.Exchange(ref recheckMembership, 1);
                Wake();
            }
            return Task.CompletedTask;
        });
        using var sessionSubscription = sessions.Subscribe(userId, _ =>
        {
            Interlocked.Exchange(ref recheckCredential, 1);
            Wake();
            return Task.CompletedTask;
        });

        EventLogCursor cursor;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            cursor = await EventLogCursor.StartAsync(db, from, ct);
        }

        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache, no-store";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once
        try
        {
            await http.Response.WriteAsync("retry: 2000\n\n", ct);
            if (cursor.LostAfter is { } lost) await http.Response.WriteAsync(GapEvent(lost), ct);
            await http.Response.Body.FlushAsync(ct);
            var heartbeat = options.Value.Heartbeat;
            var credentialCheckedAt = Stopwatch.GetTimestamp();
            while (!ct.IsCancellationRequested)
            {
                // A member removed (on any instance) loses the stream, as their open pages lose the workspace.
                if (Interlocked.Exchange(ref recheckMembership, 0) == 1 && await access.RefreshAsync(ct) is null) break;
                // So does a revoked token or an ended session: on another instance, noticed within a heartbeat.
                if (Interlocked.Exchange(ref recheckCredential, 0) == 1 || Stopwatch.GetElapsedTime(credentialCheckedAt) >= heartbeat)
                {
                    credentialCheckedAt = Stopwatch.GetTimestamp();
                    if (await credentials.RefusalAsync(http.User, ct) is { } refusal)
                    {
                        await http.Response.WriteAsync($": ended: {refusal}\n\n", ct);
                        await http.Response.Body.FlushAsync(ct);
                        break;
                    }
                }

                List<GenerationEvent> events;
                await using (var db = await dbFactory.CreateDbContextAsync(ct))
                {
                    events = await cursor.ReadAsync(db, workspaceId, ct);
                }
                if (events.Count > 0)
                {
                    var text = new StringBuilder();
                    foreach (var e in events) Write(text, e);
                    await http.Response.WriteAsync(text.ToString(), ct);
                    await http.Response.Body.FlushAsync(ct);
                }
                if (cursor.HasMore) continue;
                var woken = await wake.WaitAsync(cursor.WaitingOnGap ? EventLogCursor.GapRecheck : heartbeat, ct);
                if (!woken && !cursor.WaitingOnGap)
                {
                    await http.Response.WriteAsync(": keepalive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client went away.
        }
        return TypedResults.Empty;
    }

    private static void Write(StringBuilder text, GenerationEvent e)
    {
        var data = JsonSerializer.Serialize(new StreamedGeneration(e.GenerationId, e.Status.ToString(), e.ProviderId, e.Progress), JsonSerializerOptions.Web);
        text.Append("id: ").Append(e.Id.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("event: ").Append(EventName(e.Status)).Append('\n')
            .Append("data: ").Append(data).Append("\n\n");
    }

    /// <summary>
    /// Says that changes after <paramref name="lastEventId"/> may be gone. It carries no id, so a client's Last-Event-ID stays
    /// where it was, and a reconnect before the next change is told again.
    /// </summary>
    public static string GapEvent(long lastEventId)
    {
        var data = JsonSerializer.Serialize(new StreamGap(lastEventId.ToString(CultureInfo.InvariantCulture),
            $"Changes after event {lastEventId} are no longer in the event log (it keeps Events:Retention), so some may be missing here. " +
            "Read GET /api/v1/generations for the current state; the stream goes on from the oldest change it still has."), JsonSerializerOptions.Web);
        return $"event: {GapEventName}\ndata: {data}\n\n";
    }

    public const string GapEventName = "stream.gap";

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

/// <summary>The data of a generation event: the generation, its status as the REST API writes it, the provider and its progress (0–100).</summary>
public sealed record StreamedGeneration(Guid Id, string Status, string Provider, int? Progress);

/// <summary>The data of a <c>stream.gap</c> event: the Last-Event-ID the client sent, and what to do.</summary>
public sealed record StreamGap(string LastEventId, string Message);

/// <summary>
/// Where one stream is in the event log. Ids come from the database in insert order, but on PostgreSQL two transactions
/// may commit out of that order: a missing id may still be on its way. So the cursor delivers in id order and stops at a
/// gap until it fills, or until it has been open for <see cref="GapGrace"/> (an id a rolled-back save used up never comes).
/// It reads every workspace's rows to see the gaps and hands back only the stream's own.
/// </summary>
internal sealed class EventLogCursor
{
    public static readonly TimeSpan GapGrace = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan GapRecheck = TimeSpan.FromMilliseconds(100);
    private const int Batch = 500;

    private long position;
    private long? gapAfter;
    private long gapSeenAt;
    private bool skipFirstGap;

    private EventLogCursor(long position, bool skipFirstGap)
    {
        this.position = position;
        this.skipFirstGap = skipFirstGap;
    }

    public bool WaitingOnGap => gapAfter is not null;

    /// <summary>The client's Last-Event-ID when what followed it may be gone from the log (pruned, or from another log).</summary>
    public long? LostAfter { get; private init; }
    public bool HasMore { get; private set; }

    /// <summary>
    /// From <paramref name="lastEventId"/>, or from now (the newest row) when null; 0 is the oldest row kept. An id the log no
    /// longer holds (pruned) resumes at the oldest row it still has, and an id beyond its newest (another installation's)
    /// from now; both set <see cref="LostAfter"/> unless the very next row is still there.
    /// </summary>
    public static async Task<EventLogCursor> StartAsync(AppDbContext db, long? lastEventId, CancellationToken ct)
    {
        var log = db.Set<GenerationEvent>().AsNoTracking();
        if (lastEventId is not { } id) return new EventLogCursor(await log.MaxAsync(e => (long?)e.Id, ct) ?? 0, skipFirstGap: false);
        if (id == 0 || await log.AnyAsync(e => e.Id == id, ct)) return new EventLogCursor(id, skipFirstGap: false);
        if (await log.MaxAsync(e => (long?)e.Id, ct) is { } newest && id > newest)
            return new EventLogCursor(newest, skipFirstGap: false) { LostAfter = id };
        var nextKept = await log.AnyAsync(e => e.Id == id + 1, ct);
        return new EventLogCursor(id, skipFirstGap: true) { LostAfter = nextKept ? null : id };
    }

    public async Task<List<GenerationEvent>> ReadAsync(AppDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var start = position;
        var rows = await db.Set<GenerationEvent>().AsNoTracking().Where(e => e.Id > start).OrderBy(e => e.Id).Take(Batch).ToListAsync(ct);
        var mine = new List<GenerationEvent>();
        HasMore = false;
        foreach (var row in rows)
        {
            if (row.Id != position + 1 && !skipFirstGap)
            {
                if (gapAfter != position)
                {
                    gapAfter = position;
                    gapSeenAt = Stopwatch.GetTimestamp();
                }
                if (Stopwatch.GetElapsedTime(gapSeenAt) < GapGrace) return mine;
            }
            skipFirstGap = false;
            gapAfter = null;
            position = row.Id;
            if (row.WorkspaceId == workspaceId) mine.Add(row);
        }
        HasMore = rows.Count == Batch;
        return mine;
    }
}
