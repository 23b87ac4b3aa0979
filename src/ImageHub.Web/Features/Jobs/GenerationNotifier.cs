using System.Collections.Concurrent;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Pushes generation changes to every open circuit of a workspace (eShop's OrderStatusNotificationService).
/// Components subscribe on first render, marshal with InvokeAsync, and dispose the subscription.
/// </summary>
public sealed class GenerationNotifier(ILogger<GenerationNotifier> logger)
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Guid, Func<GenerationChanged, Task>>> subscribers = new();

    public IDisposable Subscribe(Guid workspaceId, Func<GenerationChanged, Task> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        var id = Guid.NewGuid();
        subscribers.GetOrAdd(workspaceId, _ => new())[id] = onChange;
        return new Subscription(() =>
        {
            if (subscribers.TryGetValue(workspaceId, out var handlers)) handlers.TryRemove(id, out _);
        });
    }

    /// <summary>Tells every subscriber of <paramref name="workspaceId"/>; a failing subscriber never stops the others (or the worker).</summary>
    public async Task PublishAsync(Guid workspaceId, GenerationChanged change)
    {
        if (!subscribers.TryGetValue(workspaceId, out var handlers) || handlers.IsEmpty) return;
        foreach (var handler in handlers.Values)
        {
            try
            {
                await handler(change);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "A generation subscriber failed for {GenerationId}", change.GenerationId);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? pending = dispose;
        public void Dispose()
        {
            Interlocked.Exchange(ref pending, null)?.Invoke();
        }
    }
}
