using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Events;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Tests.Jobs;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Events;

/// <summary>Issue 12 part 2: GET /api/v1/events, Server-Sent Events of the caller's workspace, resumable with Last-Event-ID.</summary>
public sealed class EventStreamTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_stream_carries_a_generation_from_queued_to_succeeded_in_order_with_its_provider(DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind);
        await using var stream = await EventStreamReader.OpenAsync(host.Api);

        var id = await host.SubmitAsync("koala");
        var events = (await stream.ReadUntilAsync(e => e.Any(x => x.GenerationId == id && EventStreamReader.IsFinal(x.Name))))
            .Where(e => e.GenerationId == id).ToList();

        Assert.Equal("generation.queued", events[0].Name);
        Assert.Equal("generation.succeeded", events[^1].Name);
        Assert.Equal("Succeeded", events[^1].Status);
        Assert.Contains(events, e => e.Name == "generation.running" && e.Status == "Running");
        Assert.All(events, e => Assert.Equal("koala", e.Data.GetProperty("provider").GetString()));
        Assert.All(events, e => Assert.True(e.Data.TryGetProperty("progress", out _)));
        Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        // Each step is one the generation can take (or a progress report while it runs).
        foreach (var (from, to) in events.Zip(events.Skip(1)))
        {
            var a = Enum.Parse<GenerationStatus>(from.Status);
            var b = Enum.Parse<GenerationStatus>(to.Status);
            Assert.True(a == b || Generation.CanMove(a, b), $"{a} → {b} is not a step a generation takes");
        }
    }

    [Fact]
    public async Task A_provider_that_answers_with_its_images_still_streams_running_then_downloading_then_succeeded()
    {
        // Coals answers the submission with the images: Running (with the handle) and Downloading commit together.
        await using var host = JobsHost.Start(DatabaseKind.Sqlite);
        await using var stream = await EventStreamReader.OpenAsync(host.Api);

        var id = await host.SubmitAsync("coals");
        var statuses = (await stream.ReadUntilAsync(e => e.Any(x => x.GenerationId == id && EventStreamReader.IsFinal(x.Name))))
            .Where(e => e.GenerationId == id).Select(e => e.Status).ToList();

        Assert.Equal(["Queued", "Submitting", "Running", "Downloading", "Succeeded"], statuses);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_reconnect_with_Last_Event_ID_misses_nothing_and_repeats_nothing(DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind);
        var seen = new List<StreamedEvent>();
        var first = await host.SubmitAsync("kolbo");
        long resumeFrom;
        await using (var stream = await EventStreamReader.OpenAsync(host.Api, lastEventId: 0))
        {
            seen.Add(await stream.NextAsync()); // the client reads one event, then the connection drops
            resumeFrom = seen[^1].Id;
        }
        var more = new[] { await host.SubmitAsync("coals"), await host.SubmitAsync("koala") };
        var all = more.Prepend(first).ToList();
        foreach (var id in all) await host.WaitForAsync(id);

        List<(string Name, JsonElement Data)> resumedSignals;
        await using (var resumed = await EventStreamReader.OpenAsync(host.Api, lastEventId: resumeFrom))
        {
            seen.AddRange(await resumed.ReadUntilAsync(e => all.All(id => e.Any(x => x.GenerationId == id && EventStreamReader.IsFinal(x.Name)))));
            resumedSignals = resumed.Signals;
        }

        var logged = await host.InDatabaseAsync(db => db.Set<GenerationEvent>().OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());
        Assert.Equal(logged, seen.Select(e => e.Id));
        Assert.Empty(resumedSignals);
        Assert.Equal(all.Count, seen.Count(e => EventStreamReader.IsFinal(e.Name)));
    }

    [Fact]
    public async Task A_stream_shows_only_the_callers_workspace()
    {
        await using var host = JobsHost.Start();
        using var other = await OtherWorkspaceClientAsync(host);
        await using var stream = await EventStreamReader.OpenAsync(host.Api);

        // Another workspace's generation runs to its end first: had it leaked, its events would come before ours.
        var theirs = await SubmitAsync(other, "koala");
        await WaitForFinalAsync(other, theirs);
        var ours = await host.SubmitAsync("koala");
        var events = await stream.ReadUntilAsync(e => e.Any(x => x.GenerationId == ours && EventStreamReader.IsFinal(x.Name)));

        Assert.All(events, e => Assert.Equal(ours, e.GenerationId));
    }

    [Fact]
    public async Task A_Last_Event_ID_that_is_not_an_event_id_is_a_400_naming_it()
    {
        await using var host = JobsHost.Start();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
        request.Headers.Add("Last-Event-ID", "yesterday");

        using var response = await host.Api.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Last-Event-ID", body);
        Assert.Contains("yesterday", body);
    }

    [Fact]
    public async Task A_token_without_the_read_scope_gets_a_403_naming_it()
    {
        await using var host = JobsHost.Start();
        var token = await host.App.InScopeAsync(async sp =>
        {
            var tokens = sp.GetRequiredService<ApiTokenService>();
            var admin = await host.App.UserIdAsync(JobsHost.AdminEmail);
            var workspace = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(admin, null);
            sp.GetRequiredService<CurrentWorkspace>().Set(workspace!.WorkspaceId, workspace.Role, userId: admin);
            return (await tokens.CreateAsync(admin, tokens.Draft("generate only", ApiScopes.Generate))).Value!.Token;
        });
        using var client = host.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.GetAsync("/api/v1/events", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("read", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_idle_stream_sends_heartbeat_comments_so_proxies_keep_it_open()
    {
        await using var host = JobsHost.Start(extra: new Dictionary<string, string?> { ["Events:Heartbeat"] = "00:00:00.050" });
        await using var stream = await EventStreamReader.OpenAsync(host.Api);

        Assert.Equal("keepalive", await stream.NextCommentAsync());
    }

    [Fact]
    public async Task A_token_revoked_by_another_instance_loses_its_open_stream_at_the_next_heartbeat()
    {
        await using var host = JobsHost.Start(extra: new Dictionary<string, string?> { ["Events:Heartbeat"] = "00:00:00.100" });
        await using var stream = await EventStreamReader.OpenAsync(host.Api);
        Assert.Equal("keepalive", await stream.NextCommentAsync()); // open, and past its first check

        // Straight in the database: no notification reaches this instance, as when another instance revokes it.
        await host.App.InScopeAsync(sp => sp.GetRequiredService<AppDbContext>().Set<ApiToken>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.RevokedAt, host.App.Clock.GetUtcNow())));
        await stream.ReadToEndAsync();

        Assert.Contains("ended: The API token was revoked.", stream.Comments);
        using var again = await host.Api.GetAsync("/api/v1/events", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task Disabling_an_account_ends_its_open_stream_without_waiting_for_a_heartbeat()
    {
        await using var host = JobsHost.Start(extra: new Dictionary<string, string?> { ["Events:Heartbeat"] = "00:10:00" });
        using var otto = await OtherWorkspaceClientAsync(host);
        await using var stream = await EventStreamReader.OpenAsync(otto);
        var admin = await host.App.UserIdAsync(JobsHost.AdminEmail);
        var ottoId = await host.App.UserIdAsync("otto@example.com");

        var disabled = await host.App.InScopeAsync(sp => sp.GetRequiredService<ImageHub.Web.Features.Admin.AdminService>()
            .SetDisabledAsync(new ImageHub.Web.Infrastructure.Audit.AuditActor(admin, "127.0.0.1"), ottoId, disabled: true));
        await stream.ReadToEndAsync(); // a ten-minute heartbeat: only the account's own notification ends it before the hang guard

        Assert.True(disabled.Succeeded, disabled.Message);
        Assert.Contains("ended: Your account was disabled.", stream.Comments);
    }

    [Fact]
    public async Task The_event_log_keeps_an_hour_and_is_pruned_after_it()
    {
        await using var host = JobsHost.Start();
        var id = await host.SubmitAsync("koala");
        await host.WaitForAsync(id);
        var pruner = host.Services.GetRequiredService<EventLogPruner>();
        var logged = await host.InDatabaseAsync(db => db.Set<GenerationEvent>().CountAsync());

        host.App.Clock.Advance(TimeSpan.FromMinutes(59));
        var prunedWithin = await pruner.PruneAsync(TestContext.Current.CancellationToken);
        host.App.Clock.Advance(TimeSpan.FromMinutes(2));
        var prunedAfter = await pruner.PruneAsync(TestContext.Current.CancellationToken);

        Assert.True(logged >= 4, $"{logged} events logged for one generation");
        Assert.Equal(0, prunedWithin);
        Assert.Equal(logged, prunedAfter);
        Assert.Equal(0, await host.InDatabaseAsync(db => db.Set<GenerationEvent>().CountAsync()));
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_reconnect_from_an_event_the_log_no_longer_keeps_is_told_that_changes_may_be_missing(DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind);
        var old = await host.SubmitAsync("koala");
        await host.WaitForAsync(old);
        var oldEvents = await host.InDatabaseAsync(db => db.Set<GenerationEvent>().Select(e => e.Id).ToListAsync());
        host.App.Clock.Advance(TimeSpan.FromMinutes(61)); // the client was away longer than Events:Retention
        await host.Services.GetRequiredService<EventLogPruner>().PruneAsync(TestContext.Current.CancellationToken);
        var later = await host.SubmitAsync("koala");
        await host.WaitForAsync(later);

        await using var resumed = await EventStreamReader.OpenAsync(host.Api, lastEventId: oldEvents.Min());
        var events = await resumed.ReadUntilAsync(e => e.Any(x => x.GenerationId == later && EventStreamReader.IsFinal(x.Name)));

        var gap = Assert.Single(resumed.Signals);
        Assert.Equal("stream.gap", gap.Name);
        Assert.Equal(oldEvents.Min().ToString(System.Globalization.CultureInfo.InvariantCulture), gap.Data.GetProperty("lastEventId").GetString());
        Assert.Contains("GET /api/v1/generations", gap.Data.GetProperty("message").GetString());
        Assert.Equal("generation.queued", events[0].Name); // then the changes it still has, from the oldest
        Assert.All(events, e => Assert.Equal(later, e.GenerationId));
    }

    [Fact]
    public async Task A_Last_Event_ID_beyond_the_newest_event_still_gets_the_next_changes_after_a_gap_event()
    {
        // A client that last read another installation (or a restored database): waiting for ids past its own would
        // deliver nothing for a long time.
        await using var host = JobsHost.Start();
        await host.WaitForAsync(await host.SubmitAsync("koala"));

        await using var stream = await EventStreamReader.OpenAsync(host.Api, lastEventId: 9_000_000);
        var next = await host.SubmitAsync("koala");
        var events = await stream.ReadUntilAsync(e => e.Any(x => x.GenerationId == next && EventStreamReader.IsFinal(x.Name)));

        Assert.Equal("stream.gap", Assert.Single(stream.Signals).Name);
        Assert.All(events, e => Assert.Equal(next, e.GenerationId));
        Assert.Equal("generation.queued", events[0].Name);
    }

    [Fact]
    public async Task A_reconnect_whose_next_event_is_still_kept_is_not_told_of_a_gap()
    {
        await using var host = JobsHost.Start();
        var id = await host.SubmitAsync("koala");
        await host.WaitForAsync(id);
        var logged = await host.InDatabaseAsync(db => db.Set<GenerationEvent>().OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());
        // Only the first row goes (as a prune by age would take it): what followed it is all still there.
        await host.InDatabaseAsync(db => db.Set<GenerationEvent>().Where(e => e.Id == logged[0]).ExecuteDeleteAsync());

        await using var resumed = await EventStreamReader.OpenAsync(host.Api, lastEventId: logged[0]);
        var events = await resumed.ReadUntilAsync(e => e.Any(x => EventStreamReader.IsFinal(x.Name)));

        Assert.Empty(resumed.Signals);
        Assert.Equal(logged.Skip(1), events.Select(e => e.Id));
    }

    [Fact]
    public async Task The_cursor_holds_back_events_behind_a_missing_id_until_it_arrives()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        var workspace = Guid.NewGuid();
        await AddEventsAsync(app, workspace, 1, 2, 4); // 3 is a save still on its way
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var cursor = await EventLogCursor.StartAsync(db, 0, TestContext.Current.CancellationToken);

        var before = await cursor.ReadAsync(db, workspace, TestContext.Current.CancellationToken);
        var waiting = cursor.WaitingOnGap;
        await AddEventsAsync(app, workspace, 3);
        var after = await cursor.ReadAsync(db, workspace, TestContext.Current.CancellationToken);

        Assert.Equal([1L, 2L], before.Select(e => e.Id));
        Assert.True(waiting);
        Assert.Equal([3L, 4L], after.Select(e => e.Id));
        Assert.False(cursor.WaitingOnGap);
    }

    private static Task AddEventsAsync(ImageHubApp app, Guid workspace, params long[] ids) => app.InScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<AppDbContext>();
        foreach (var id in ids)
        {
            db.Add(new GenerationEvent { Id = id, WorkspaceId = workspace, GenerationId = Guid.NewGuid(), ProviderId = "koala", Status = GenerationStatus.Queued, CreatedAt = app.Clock.GetUtcNow() });
        }
        await db.SaveChangesAsync();
    });

    /// <summary>A second person with their own workspace and a token with every scope.</summary>
    internal static async Task<HttpClient> OtherWorkspaceClientAsync(JobsHost host)
    {
        var token = await host.App.InScopeAsync(async sp =>
        {
            var user = new AppUser { UserName = "otto@example.com", Email = "otto@example.com" };
            Assert.True((await sp.GetRequiredService<UserManager<AppUser>>().CreateAsync(user, Arrange.Password)).Succeeded);
            var (created, workspace) = await sp.GetRequiredService<WorkspaceService>().CreateAsync(user.Id, "Elsewhere");
            Assert.True(created.Succeeded, created.Message);
            sp.GetRequiredService<CurrentWorkspace>().Set(workspace, WorkspaceRole.Owner, userId: user.Id);
            var tokens = sp.GetRequiredService<ApiTokenService>();
            return (await tokens.CreateAsync(user.Id, tokens.Draft("other", ApiScopes.Read | ApiScopes.Generate))).Value!.Token;
        });
        var client = host.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task WaitForFinalAsync(HttpClient api, Guid id)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromMinutes(2)); // a hang guard, not an assertion on time
        while (true)
        {
            var status = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/generations/{id}", giveUp.Token)).RootElement.GetProperty("status").GetString();
            if (status is "Succeeded" or "Failed" or "Canceled" or "NeedsReview") return;
            await Task.Delay(20, giveUp.Token);
        }
    }

    private static async Task<Guid> SubmitAsync(HttpClient api, string provider)
    {
        using var response = await api.PostAsJsonAsync("/api/v1/generations", new { prompt = "a lighthouse", provider }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }
}
