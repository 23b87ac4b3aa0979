using System.Data.Common;
using System.Runtime.CompilerServices;
using ImageHub.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Records and publishes the changes the <see cref="Generation"/> aggregate raised: whoever saves a generation (the
/// service, the runner, the worker's sweeps) goes through this one place. Before the save it adds one
/// <see cref="GenerationEvent"/> per change to the same save (one transaction: the event log behind /api/v1/events
/// has exactly the committed changes); once committed it tells the open circuits of every instance
/// (<see cref="GenerationNotifier"/>) and counts the generations that ended (<see cref="ImageHubMetrics"/>). A save
/// inside an explicit transaction (the ledger's, <see cref="IGenerationLedger.SaveAsync"/>) publishes when that transaction
/// commits, so a page that re-reads the row sees it. A failed save or a rolled-back transaction publishes nothing.
/// </summary>
public sealed class GenerationChangePublisher(GenerationNotifier notifier, ImageHubMetrics metrics, TimeProvider time)
    : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Pending> pending = [];

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context) await PublishAsync(context);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context) PublishAsync(context).GetAwaiter().GetResult();
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context);

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Record(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Record(eventData.Context);
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { Database.CurrentTransaction: null } context) await PublishAsync(context);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { Database.CurrentTransaction: null } context) PublishAsync(context).GetAwaiter().GetResult();
        return result;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Discard(eventData.Context);

    /// <summary>Takes the raised changes (a new row raises its first) and adds their event-log rows to this save.</summary>
    private void Record(DbContext? context)
    {
        if (context is null) return;
        var now = time.GetUtcNow();
        var taken = new List<(Guid WorkspaceId, GenerationChanged Change)>();
        var events = new List<GenerationEvent>();
        var finished = new List<(string Provider, GenerationStatus Status, TimeSpan Took)>();
        foreach (var entry in context.ChangeTracker.Entries<Generation>().ToList())
        {
            var generation = entry.Entity;
            if (entry.State == EntityState.Added) generation.RaiseAdded();
            foreach (var change in generation.TakeChanges())
            {
                taken.Add((generation.WorkspaceId, change));
                if (change.Status.IsFinal()) finished.Add((generation.ProviderId, change.Status, now - generation.CreatedAt));
                events.Add(new GenerationEvent
                {
                    WorkspaceId = generation.WorkspaceId,
                    GenerationId = generation.Id,
                    ProviderId = generation.ProviderId,
                    Status = change.Status,
                    Progress = change.Progress,
                    CreatedAt = now,
                });
            }
        }
        if (taken.Count == 0) return;
        context.AddRange(events);
        var batch = pending.GetOrCreateValue(context);
        batch.Changes.AddRange(taken);
        batch.Events.AddRange(events);
        batch.Finished.AddRange(finished);
    }

    private async Task PublishAsync(DbContext context)
    {
        if (!pending.TryGetValue(context, out var batch)) return;
        pending.Remove(context);
        // The context may live on (a worker's scope): the log rows are written, it need not track them.
        foreach (var logged in batch.Events) context.Entry(logged).State = EntityState.Detached;
        foreach (var (provider, status, took) in batch.Finished) metrics.GenerationFinished(provider, status, took);
        foreach (var (workspaceId, change) in batch.Changes) await notifier.PublishAsync(workspaceId, change);
    }

    private void Discard(DbContext? context)
    {
        if (context is null || !pending.TryGetValue(context, out var batch)) return;
        pending.Remove(context);
        foreach (var logged in batch.Events) context.Entry(logged).State = EntityState.Detached;
    }

    private sealed class Pending
    {
        public List<(Guid WorkspaceId, GenerationChanged Change)> Changes { get; } = [];
        public List<GenerationEvent> Events { get; } = [];
        public List<(string Provider, GenerationStatus Status, TimeSpan Took)> Finished { get; } = [];
    }
}
