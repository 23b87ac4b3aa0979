using System.Collections.Concurrent;

namespace ImageHub.Web.Infrastructure.Changes;

/// <summary>
/// The subscriber lists the notifiers keep in this process, by key (a workspace, a user): subscribe, unsubscribe by
/// disposing, deliver to every handler of a key, where a failing handler (a closed circuit) never stops the others.
/// </summary>
public sealed class Subscribers<TKey, TChange>(ILogger logger) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, ConcurrentDictionary<Guid, Func<TChange, Task>>> byKey = new();

    public IDisposable Subscribe(TKey key, Func<TChange, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var id = Guid.NewGuid();
        byKey.GetOrAdd(key, _ => new())[id] = handler;
        return new Subscription(() =>
        {
            if (byKey.TryGetValue(key, out var handlers)) handlers.TryRemove(id, out _);
        });
    }

    /// <summary>Returns once every handler of <paramref name="key"/> has taken <paramref name="change"/> (or failed to).</summary>
    public async Task DeliverAsync(TKey key, TChange change)
    {
        if (!byKey.TryGetValue(key, out var handlers) || handlers.IsEmpty) return;
        foreach (var handler in handlers.Values)
        {
            try
            {
                await handler(change);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogDebug(e, "A subscriber did not take {Change}", change);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? pending = dispose;
        public void Dispose() => Interlocked.Exchange(ref pending, null)?.Invoke();
    }
}
