using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Publishes the changes the <see cref="Generation"/> aggregate raised, once they are committed: whoever saves a
/// generation (the service, the runner, the worker's sweeps) tells the open circuits through this one place.
/// A failed save publishes nothing (the change did not happen). A save inside an explicit transaction (the ledger's,
/// <see cref="Spend.LedgerCommitter"/>) publishes when that transaction commits, so a page that re-reads the row sees it.
/// </summary>
public sealed class GenerationChangePublisher(GenerationNotifier notifier) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context) await PublishAsync(context);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context) PublishAsync(context).GetAwaiter().GetResult();
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        RaiseAdded(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        RaiseAdded(eventData.Context);
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

    private async Task PublishAsync(DbContext context)
    {
        var generations = context.ChangeTracker.Entries<Generation>().Select(e => e.Entity).ToList();
        foreach (var generation in generations)
        {
            foreach (var change in generation.TakeChanges())
            {
                await notifier.PublishAsync(generation.WorkspaceId, change);
            }
        }
    }

    private static void RaiseAdded(DbContext? context)
    {
        if (context is null) return;
        foreach (var entry in context.ChangeTracker.Entries<Generation>().Where(e => e.State == EntityState.Added)) entry.Entity.RaiseAdded();
    }

    private static void Discard(DbContext? context)
    {
        if (context is null) return;
        foreach (var entry in context.ChangeTracker.Entries<Generation>()) entry.Entity.TakeChanges();
    }
}
