using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Events;

/// <summary>Deletes event-log rows older than <c>Events:Retention</c>, every few minutes, on every instance (a delete twice is harmless).</summary>
public sealed class EventLogPruner(IServiceScopeFactory scopes, IOptions<EventsOptions> options, TimeProvider time, ILogger<EventLogPruner> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                logger.LogWarning("Pruning the event log failed ({Reason}); it is tried again in {Every}.", e.Message, Every);
            }
        }
    }

    /// <summary>Deletes what is older than the retention; returns how many rows went.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.Retention;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.Set<GenerationEvent>().Where(e => e.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
