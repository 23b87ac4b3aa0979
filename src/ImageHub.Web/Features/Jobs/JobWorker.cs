using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Works the durable queue in the database. It leases due rows (an UPDATE that only succeeds while the previous
/// lease has expired, so several instances can share one database), runs each in a fresh DI scope working in the
/// generation's workspace, at most <c>Jobs:Concurrency:{provider}</c> at a time per provider, with optional
/// per-provider submission rate limits. On start and then every <c>Jobs:SweepInterval</c> it hands rows left in
/// Submitting whose (short, <c>Jobs:SubmittingLease</c>) lease ran out to a person (NeedsReview): they may have been
/// accepted, so they are never sent again. Rows Running with a handle resume polling.
/// </summary>
public sealed class JobWorker(
    IServiceScopeFactory scopes,
    JobSignal signal,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<JobWorker> logger) : BackgroundService
{
    private static readonly GenerationStatus[] Workable = [GenerationStatus.Queued, GenerationStatus.Running, GenerationStatus.Downloading];

    private readonly ConcurrentDictionary<string, int> inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Task> running = new();
    private readonly ConcurrentDictionary<string, RateLimiter?> limiters = new(StringComparer.Ordinal);

    /// <summary>This process's lease owner token.</summary>
    public string Owner { get; } = $"{Environment.ProcessId}/{Guid.NewGuid():N}";

    private long lastTurn = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>How long ago the worker last went round its loop (the readiness check: Infrastructure/TelemetryHealthChecks.cs).</summary>
    public TimeSpan SinceLastTurn => System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref lastTurn));

    private JobsOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.Enabled)
        {
            logger.LogInformation("Jobs:Enabled is false: this instance queues generations but does not run them.");
            return;
        }
        await Task.Yield();
        try
        {
            await SweepInterruptedSubmissionsAsync(stoppingToken);
            var lastRenewal = time.GetTimestamp();
            var lastSweep = time.GetTimestamp();
            var renewEvery = (Options.SubmittingLease < Options.LeaseDuration ? Options.SubmittingLease : Options.LeaseDuration) / 4;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ClaimAndStartAsync(stoppingToken);
                    if (time.GetElapsedTime(lastRenewal) > renewEvery)
                    {
                        await RenewLeasesAsync(stoppingToken);
                        lastRenewal = time.GetTimestamp();
                    }
                    if (time.GetElapsedTime(lastSweep) > Options.SweepInterval)
                    {
                        await SweepInterruptedSubmissionsAsync(stoppingToken);
                        lastSweep = time.GetTimestamp();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "The job worker could not read the queue; retrying");
                }
                await signal.WaitAsync(Options.IdlePollInterval, stoppingToken);
                Interlocked.Exchange(ref lastTurn, System.Diagnostics.Stopwatch.GetTimestamp());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await Task.WhenAll(running.Values).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "A job ended with an error while stopping");
        }
        try
        {
            // Hand our leases back so another instance (or this one restarted) resumes at once.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await db.Set<Generation>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
                .Where(g => g.LeaseOwner == Owner)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.LeaseOwner, (string?)null).SetProperty(g => g.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // The app's services went first (a host that stopped waiting for the jobs, or disposed without stopping).
            logger.LogWarning("The job leases were not handed back before the app's services were disposed; they expire on their own.");
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not release the job leases while stopping; they expire on their own");
        }
    }

    public override void Dispose()
    {
        foreach (var limiter in limiters.Values) limiter?.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Rows in Submitting without a handle whose lease ran out were cut off mid-POST by a stop (a live worker renews the
    /// lease while the POST is in flight): the provider may have accepted them.
    /// </summary>
    private async Task SweepInterruptedSubmissionsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.GetUtcNow();
        var stuck = await db.Set<Generation>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
            .Where(g => g.Status == GenerationStatus.Submitting && g.HandleJson == null && (g.LeaseUntil == null || g.LeaseUntil < now))
            .ToListAsync(ct);
        foreach (var generation in stuck)
        {
            var name = scope.ServiceProvider.GetRequiredService<ImageHub.Providers.IProviderRegistry>()
                .TryGet(generation.ProviderId, out var provider) ? provider.DisplayName : generation.ProviderId;
            generation.MarkForReview("interrupted_submission",
                $"The app stopped while sending this to {name}; it may have been accepted. Check {name}'s dashboard before running it again.", now);
        }
        if (stuck.Count == 0) return;
        await db.SaveChangesAsync(ct); // published once saved (GenerationChangePublisher)
        logger.LogWarning("{Count} generation(s) were cut off while being sent and need review", stuck.Count);
    }

    private async Task ClaimAndStartAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.GetUtcNow();
        var due = await db.Set<Generation>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .Where(g => Workable.Contains(g.Status)
                        && (g.LeaseUntil == null || g.LeaseUntil < now)
                        && (g.NextAttemptAt == null || g.NextAttemptAt <= now))
            .OrderBy(g => g.CreatedAt)
            .Select(g => new { g.Id, g.ProviderId, g.WorkspaceId })
            .Take(256)
            .ToListAsync(ct);
        foreach (var row in due)
        {
            if (running.ContainsKey(row.Id)) continue;
            var limit = Options.ConcurrencyFor(row.ProviderId);
            if (inFlight.GetValueOrDefault(row.ProviderId) >= limit) continue;

            var until = now + Options.LeaseDuration;
            var leased = await db.Set<Generation>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
                .Where(g => g.Id == row.Id && Workable.Contains(g.Status) && (g.LeaseUntil == null || g.LeaseUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.LeaseOwner, Owner).SetProperty(g => g.LeaseUntil, until), ct);
            if (leased != 1) continue; // another instance took it

            inFlight.AddOrUpdate(row.ProviderId, 1, (_, n) => n + 1);
            var task = RunOneAsync(row.Id, row.WorkspaceId, row.ProviderId, ct);
            running[row.Id] = task;
            _ = task.ContinueWith(_ =>
            {
                running.TryRemove(row.Id, out Task? _);
                inFlight.AddOrUpdate(row.ProviderId, 0, (_, n) => Math.Max(0, n - 1));
                signal.Wake();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RunOneAsync(Guid id, Guid workspaceId, string providerId, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var current = scope.ServiceProvider.GetRequiredService<CurrentWorkspace>();
            using var _ = current.Use(workspaceId);
            var runner = scope.ServiceProvider.GetRequiredService<GenerationRunner>();
            await runner.RunAsync(id, Owner, WaitForSubmissionPermitAsync, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: a row mid-poll resumes on the next start; a row mid-POST is swept to NeedsReview.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Generation {GenerationId} ({Provider}) failed in the worker; it will be retried when its lease expires", id, providerId);
        }
    }

    private async Task WaitForSubmissionPermitAsync(string providerId, CancellationToken ct)
    {
        var limiter = limiters.GetOrAdd(providerId, p => Options.SubmissionsPerMinute.TryGetValue(p, out var perMinute) && perMinute > 0
            ? new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
            {
                PermitLimit = perMinute,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 6,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            })
            : null);
        if (limiter is null) return;
        using var lease = await limiter.AcquireAsync(1, ct);
    }

    private async Task RenewLeasesAsync(CancellationToken ct)
    {
        if (running.IsEmpty) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.GetUtcNow();
        var until = now + Options.LeaseDuration;
        var submittingUntil = now + Options.SubmittingLease;
        var owned = db.Set<Generation>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).Where(g => g.LeaseOwner == Owner);
        await owned.Where(g => g.Status != GenerationStatus.Submitting).ExecuteUpdateAsync(s => s.SetProperty(g => g.LeaseUntil, until), ct);
        await owned.Where(g => g.Status == GenerationStatus.Submitting).ExecuteUpdateAsync(s => s.SetProperty(g => g.LeaseUntil, submittingUntil), ct);
    }
}
