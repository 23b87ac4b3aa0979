using System.Net;
using System.Net.Http.Headers;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Admin;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Infrastructure.Audit;
using ImageHub.Web.Features.Events;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Infrastructure.Changes;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Tests.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Events;

/// <summary>
/// Issue 12 part 1: two instances on one PostgreSQL database, A with the worker and B web-only (Jobs:Enabled=false).
/// What happens on A reaches B's open pages (their subscriptions) and B's event-stream clients.
/// </summary>
public sealed class CrossInstanceTests
{
    [Fact]
    public async Task A_page_on_a_web_only_instance_hears_the_other_instances_worker_finish()
    {
        await using var a = JobsHost.Start(DatabaseKind.Postgres);
        await using var b = await WebOnlyAsync(a);
        var workspace = await WorkspaceAsync(a);
        var heard = new List<GenerationChanged>();
        var finished = new TaskCompletionSource<GenerationChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var page = b.Services.GetRequiredService<GenerationNotifier>().Subscribe(workspace, change =>
        {
            lock (heard) heard.Add(change);
            if (change.Status.IsFinal()) finished.TrySetResult(change);
            return Task.CompletedTask;
        });

        var id = await a.SubmitAsync("qolaba", model: JobsHost.ModelFor("qolaba"));
        var final = await finished.Task.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken); // a hang guard

        Assert.Equal(id, final.GenerationId);
        Assert.Equal(GenerationStatus.Succeeded, final.Status);
        lock (heard) Assert.Equal(GenerationStatus.Queued, heard[0].Status);
    }

    [Fact]
    public async Task An_event_stream_on_a_web_only_instance_receives_the_other_instances_events_in_order()
    {
        await using var a = JobsHost.Start(DatabaseKind.Postgres);
        await using var b = await WebOnlyAsync(a);
        using var api = b.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JobsHost.Token);
        await using var stream = await EventStreamReader.OpenAsync(api);

        var ids = new[] { await a.SubmitAsync("koala"), await a.SubmitAsync("kolbo") };
        var events = await stream.ReadUntilAsync(e => ids.All(id => e.Any(x => x.GenerationId == id && EventStreamReader.IsFinal(x.Name))));

        var logged = await a.InDatabaseAsync(db => db.Set<GenerationEvent>().OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());
        Assert.Equal(logged, events.Select(e => e.Id));
        foreach (var id in ids)
        {
            var mine = events.Where(e => e.GenerationId == id).ToList();
            Assert.Equal("generation.queued", mine[0].Name);
            Assert.Equal("generation.succeeded", mine[^1].Name);
        }
    }

    [Fact]
    public async Task A_member_removed_on_one_instance_is_told_on_the_other()
    {
        await using var a = ImageHubApp.Create(DatabaseKind.Postgres);
        const string owner = "olivia@example.com", member = "max@example.com";
        using (var browser = a.CreateBrowser()) await browser.RegisterAsync(owner, Arrange.Password);
        var workspace = await a.CreateWorkspaceAsync(owner, "Studio");
        var invite = await a.CreateInviteAsync(owner, workspace);
        using (var browser = a.CreateBrowser()) await browser.RegisterAsync(member, Arrange.Password, invite);
        var memberId = await a.UserIdAsync(member);
        await using var b = a.Restart(new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        await b.Services.GetRequiredService<PostgresChangeTransport>().Listening.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var told = new TaskCompletionSource<MembershipChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var circuit = b.Services.GetRequiredService<MembershipNotifier>().Subscribe(memberId, c =>
        {
            told.TrySetResult(c);
            return Task.CompletedTask;
        });

        await a.InWorkspaceAsync(owner, workspace, async sp =>
        {
            var service = sp.GetRequiredService<WorkspaceService>();
            var row = (await service.ListMembersAsync()).Single(m => m.Email == member);
            Assert.True((await service.RemoveMemberAsync(row.MemberId)).Succeeded);
        });

        Assert.Equal(new MembershipChange(workspace, memberId), await told.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_gallery_change_published_on_one_instance_reaches_the_other_and_only_that_workspace()
    {
        await using var a = ImageHubApp.Create(DatabaseKind.Postgres);
        await using var b = a.Restart(new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        await a.Services.GetRequiredService<PostgresChangeTransport>().Listening.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        await b.Services.GetRequiredService<PostgresChangeTransport>().Listening.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var (mine, theirs) = (Guid.NewGuid(), Guid.NewGuid());
        var heard = new List<GalleryChange>();
        var starred = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var page = b.Services.GetRequiredService<GalleryNotifier>().Subscribe(mine, c =>
        {
            lock (heard) heard.Add(c);
            if (c.Kind == GalleryChangeKind.Starred) starred.TrySetResult();
            return Task.CompletedTask;
        });

        var notifier = a.Services.GetRequiredService<GalleryNotifier>();
        var (member, image) = (Guid.NewGuid(), Guid.NewGuid());
        await notifier.PublishAsync(GalleryChange.Of(theirs, GalleryChangeKind.Trashed, member, [image]));
        await notifier.PublishAsync(GalleryChange.Of(mine, GalleryChangeKind.Starred, member, [image]));
        await starred.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        lock (heard)
        {
            var change = Assert.Single(heard);
            Assert.Equal((GalleryChangeKind.Starred, member, image), (change.Kind, change.By, Assert.Single(change.ImageIds)));
        }
    }

    [Fact]
    public async Task Disabling_an_account_on_one_instance_ends_its_event_stream_and_open_pages_on_the_other_at_once()
    {
        await using var a = JobsHost.Start(DatabaseKind.Postgres, extra: TenMinuteHeartbeat);
        await using var b = await WebOnlyAsync(a, TenMinuteHeartbeat);
        var (ottoId, ottoOnB) = await OttoOnBAsync(a, b);
        using var client = ottoOnB;
        var admin = await a.App.UserIdAsync(JobsHost.AdminEmail);
        await using var stream = await EventStreamReader.OpenAsync(ottoOnB);
        var pageOnB = new TaskCompletionSource<AccountChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var circuit = b.Services.GetRequiredService<AccountSessions>().Subscribe(ottoId, c =>
        {
            pageOnB.TrySetResult(c);
            return Task.CompletedTask;
        });

        var disabled = await a.App.InScopeAsync(sp => sp.GetRequiredService<AdminService>()
            .SetDisabledAsync(new AuditActor(admin, "127.0.0.1"), ottoId, disabled: true));
        await stream.ReadToEndAsync(); // a ten-minute heartbeat: only the change from A ends it before the hang guard

        Assert.True(disabled.Succeeded, disabled.Message);
        Assert.Contains("ended: Your account was disabled.", stream.Comments);
        Assert.Equal(AccountChange.SessionsEnded, await pageOnB.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_token_revoked_on_one_instance_loses_its_event_stream_on_the_other_at_once()
    {
        await using var a = JobsHost.Start(DatabaseKind.Postgres, extra: TenMinuteHeartbeat);
        await using var b = await WebOnlyAsync(a, TenMinuteHeartbeat);
        var (ottoId, ottoOnB) = await OttoOnBAsync(a, b);
        using var client = ottoOnB;
        var row = await a.InDatabaseAsync(db => db.Set<ApiToken>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .SingleAsync(t => t.UserId == ottoId));
        var (workspace, token) = (row.WorkspaceId, row.Id);
        await using var stream = await EventStreamReader.OpenAsync(ottoOnB);

        Outcome? revoked = null;
        await a.App.InWorkspaceAsync("otto@example.com", workspace, async sp => revoked = await sp.GetRequiredService<ApiTokenService>().RevokeAsync(ottoId, token));
        await stream.ReadToEndAsync(); // a ten-minute heartbeat: only the change from A ends it before the hang guard

        Assert.True(revoked?.Succeeded, revoked?.Message);
        Assert.Contains("ended: The API token was revoked.", stream.Comments);
    }

    [Fact]
    public async Task An_instance_that_served_no_one_yet_still_refuses_a_session_ended_on_the_other()
    {
        await using var a = JobsHost.Start(DatabaseKind.Postgres);
        using var otto = await EventStreamTests.OtherWorkspaceClientAsync(a);
        var ottoId = await a.App.UserIdAsync("otto@example.com");
        var admin = await a.App.UserIdAsync(JobsHost.AdminEmail);
        await using var b = await WebOnlyAsync(a);
        var heardOnB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = b.Services.GetRequiredService<ChangeBus>().Subscribe<AccountSessionChange>(c =>
        {
            if (c.UserId == ottoId && c.Change == AccountChange.SessionsEnded) heardOnB.TrySetResult();
            return Task.CompletedTask;
        });
        // Otto signs in on B (the sign-in's own answer only: no request of B has carried a session cookie yet).
        using var browser = b.CreateBrowser();
        var signedIn = await browser.SubmitFormAsync("/Account/Login", "login",
            new Dictionary<string, string> { ["Input.Email"] = "otto@example.com", ["Input.Password"] = Arrange.Password }, follow: false);

        var disabled = await a.App.InScopeAsync(sp => sp.GetRequiredService<AdminService>()
            .SetDisabledAsync(new AuditActor(admin, "127.0.0.1"), ottoId, disabled: true));
        await heardOnB.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken); // a hang guard
        using var keys = await browser.Http.GetAsync("/keys", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        Assert.True(disabled.Succeeded, disabled.Message);
        // Refused at once, not at Identity's security-stamp check a minute later.
        Assert.Equal(HttpStatusCode.Redirect, keys.StatusCode);
        Assert.Contains("/Account/Login", keys.Headers.Location?.ToString());
    }

    /// <summary>Streams that only a change heard from the other instance can end before the tests' hang guard.</summary>
    private static readonly Dictionary<string, string?> TenMinuteHeartbeat = new() { ["Events:Heartbeat"] = "00:10:00" };

    /// <summary>Otto, a member of another workspace made on <paramref name="a"/>, with an API client on <paramref name="b"/>.</summary>
    private static async Task<(Guid OttoId, HttpClient OttoOnB)> OttoOnBAsync(JobsHost a, ImageHubApp b)
    {
        using var ottoOnA = await EventStreamTests.OtherWorkspaceClientAsync(a);
        var ottoOnB = b.CreateClient();
        ottoOnB.DefaultRequestHeaders.Authorization = ottoOnA.DefaultRequestHeaders.Authorization;
        return (await a.App.UserIdAsync("otto@example.com"), ottoOnB);
    }

    /// <summary>A second instance of <paramref name="a"/>'s app (same database and storage) without the worker, listening.</summary>
    private static async Task<ImageHubApp> WebOnlyAsync(JobsHost a, IReadOnlyDictionary<string, string?>? extra = null)
    {
        await a.Services.GetRequiredService<PostgresChangeTransport>().Listening.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var b = a.App.Restart(new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>()) { ["Jobs:Enabled"] = "false" });
        await b.Services.GetRequiredService<PostgresChangeTransport>().Listening.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        return b;
    }

    private static Task<Guid> WorkspaceAsync(JobsHost host) =>
        host.InDatabaseAsync(db => db.Workspaces.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).Select(w => w.Id).SingleAsync());
}
