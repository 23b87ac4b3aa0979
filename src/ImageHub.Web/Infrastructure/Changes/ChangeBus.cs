using System.Collections.Immutable;
using System.Text.Json;
using System.Threading.Channels;

namespace ImageHub.Web.Infrastructure.Changes;

/// <summary>
/// The one way changes travel (eShop's event bus, cut to what ImageHub needs): <see cref="PublishAsync"/> delivers a change
/// to this process's subscribers at once and, on PostgreSQL, hands it to <see cref="PostgresChangeTransport"/>, which sends
/// it to the other instances with NOTIFY and delivers theirs here. On SQLite (one process) the local delivery is all.
/// A change is a small record (ids and a status: whoever hears it re-reads the database), serialized as JSON between
/// instances under its type's name. The features' notifiers (generations, memberships, the gallery) sit on top and route
/// by workspace or user; this folder knows none of them.
/// </summary>
public sealed class ChangeBus(ILogger<ChangeBus> logger)
{
    private ImmutableDictionary<Type, ImmutableList<Func<object, Task>>> handlers = ImmutableDictionary<Type, ImmutableList<Func<object, Task>>>.Empty;
    private ImmutableDictionary<string, Type> known = ImmutableDictionary<string, Type>.Empty;
    private ChannelWriter<object>? remote;

    /// <summary>Calls <paramref name="handler"/> for every <typeparamref name="T"/> published here or on another instance.</summary>
    public IDisposable Subscribe<T>(Func<T, Task> handler) where T : class
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.TryAdd(ref known, NameOf(typeof(T)), typeof(T));
        Func<object, Task> wrapped = m => handler((T)m);
        ImmutableInterlocked.AddOrUpdate(ref handlers, typeof(T), _ => [wrapped], (_, list) => list.Add(wrapped));
        return new Subscription(() => ImmutableInterlocked.AddOrUpdate(ref handlers, typeof(T), _ => [], (_, list) => list.Remove(wrapped)));
    }

    /// <summary>Delivers <paramref name="change"/> here (returns once every local subscriber has taken it) and sends it to the other instances.</summary>
    public async Task PublishAsync<T>(T change) where T : class
    {
        ArgumentNullException.ThrowIfNull(change);
        await DeliverAsync(change);
        if (remote is { } writer && !writer.TryWrite(change))
        {
            logger.LogWarning("A {Change} did not reach the other instances: the outgoing queue is full.", typeof(T).Name);
        }
    }

    /// <summary>Hands <paramref name="change"/> to this process's subscribers only (what the transport calls for other instances' changes).</summary>
    internal async Task DeliverAsync(object change)
    {
        if (!handlers.TryGetValue(change.GetType(), out var list)) return;
        foreach (var handler in list)
        {
            try
            {
                await handler(change);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "A subscriber did not take a {Change}.", change.GetType().Name);
            }
        }
    }

    /// <summary>The wire name of a change type.</summary>
    internal static string NameOf(Type type) => type.Name;

    /// <summary>Reads a change another instance sent; null when no one here subscribes to its type (nothing to deliver).</summary>
    internal object? Read(string type, JsonElement body) =>
        known.TryGetValue(type, out var clr) ? body.Deserialize(clr) : null;

    /// <summary>Where published changes go for the other instances (the transport attaches it; null detaches).</summary>
    internal void ConnectRemote(ChannelWriter<object>? writer) => Volatile.Write(ref remote, writer);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? pending = dispose;
        public void Dispose() => Interlocked.Exchange(ref pending, null)?.Invoke();
    }
}
