extern alias web;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using web::ImageHub.Web.Features.Jobs;

namespace ImageHub.Benchmarks;

/// <summary>One generation as the client saw it: POST until 202 (queued), and POST until the Succeeded notification.</summary>
internal readonly record struct GenerationTiming(double SubmitMs, double TotalMs);

/// <summary>
/// Runs generations through <c>POST /api/v1/generations</c> (Coals, 1024×1024) against a <see cref="BenchHost"/> with the
/// job worker on, and times each from the POST to the 202 (queued) and to the Succeeded notification
/// (GenerationNotifier, sent once the final save commits: images stored, ledger settled). No polling: the notifier
/// and the client meet on one completion per generation id, whichever comes first.
/// </summary>
internal sealed class GenerationDriver : IDisposable
{
    private readonly BenchHost host;
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<long>> finished = new();
    private readonly IDisposable subscription;
    private int counter;

    public GenerationDriver(BenchHost host)
    {
        this.host = host;
        subscription = host.Services.GetRequiredService<GenerationNotifier>().Subscribe(host.WorkspaceId, change =>
        {
            if (!change.Status.IsFinal()) return Task.CompletedTask;
            var done = Completion(change.GenerationId);
            if (change.Status == GenerationStatus.Succeeded) done.TrySetResult(Stopwatch.GetTimestamp());
            else done.TrySetException(new InvalidOperationException($"Generation {change.GenerationId} ended {change.Status}"));
            return Task.CompletedTask;
        });
    }

    /// <summary>The settings the worker needs to keep <paramref name="concurrency"/> Coals generations in flight.</summary>
    public static Dictionary<string, string?> Settings(int concurrency, bool prePainted)
    {
        var settings = BenchHost.FastSandbox(prePainted);
        settings["Jobs:Concurrency:coals"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Jobs:IdlePollInterval"] = "00:00:00.050";
        return settings;
    }

    private TaskCompletionSource<long> Completion(Guid id) =>
        finished.GetOrAdd(id, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));

    public async Task<GenerationTiming> RunOneAsync()
    {
        var prompt = $"benchmark prompt {Interlocked.Increment(ref counter)}";
        var started = Stopwatch.GetTimestamp();
        using var response = await host.Api.PostAsJsonAsync("/api/v1/generations", new { prompt, provider = "coals", options = new { width = 1024, height = 1024 } });
        var queued = Stopwatch.GetTimestamp();
        if ((int)response.StatusCode != 202) throw new InvalidOperationException($"POST answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var succeeded = await Completion(id).Task.WaitAsync(TimeSpan.FromMinutes(2));
        finished.TryRemove(id, out _);
        return new(Stopwatch.GetElapsedTime(started, queued).TotalMilliseconds, Stopwatch.GetElapsedTime(started, succeeded).TotalMilliseconds);
    }

    /// <summary><paramref name="count"/> generations kept <paramref name="concurrency"/> in flight; the timings and the wall time.</summary>
    public async Task<(List<GenerationTiming> Timings, TimeSpan Elapsed)> RunAsync(int count, int concurrency)
    {
        var timings = new ConcurrentBag<GenerationTiming>();
        var remaining = count;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0) timings.Add(await RunOneAsync());
        }));
        return ([.. timings], clock.Elapsed);
    }

    public void Dispose() => subscription.Dispose();
}

/// <summary>
/// A benchmark-only switch for the event-log row each status change adds to its save (<see cref="GenerationEvent"/>,
/// added by GenerationChangePublisher): registered after the app's interceptors, it takes those rows out of the save
/// while <see cref="Skip"/> is set, to weigh what they cost. The app itself has no such switch.
/// </summary>
internal sealed class EventLogSwitch : SaveChangesInterceptor
{
    public static volatile bool Skip;

    public static void Register(IServiceCollection services) => services.AddSingleton<IInterceptor, EventLogSwitch>();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Drop(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Drop(eventData.Context);
        return result;
    }

    private static void Drop(DbContext? context)
    {
        if (!Skip || context is null) return;
        foreach (var entry in context.ChangeTracker.Entries<GenerationEvent>().Where(e => e.State == EntityState.Added).ToList())
        {
            entry.State = EntityState.Detached;
        }
    }
}
