using System.Collections.Immutable;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;

namespace ImageHub.Web.Features.Events;

/// <summary>
/// Something that changed which open pages (and event-stream clients) of any instance should hear about. Small on
/// purpose: ids and a status; whoever hears it re-reads the database. Serialized as JSON for PostgreSQL NOTIFY
/// (whose payloads must stay under 8000 bytes).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "t")]
[JsonDerivedType(typeof(GenerationChangeMessage), "generation")]
[JsonDerivedType(typeof(MembershipChange), "membership")]
[JsonDerivedType(typeof(GalleryChange), "gallery")]
public abstract record ChangeMessage;

/// <summary>A generation of <paramref name="WorkspaceId"/> changed (raised by the Generation aggregate, published once saved).</summary>
public sealed record GenerationChangeMessage(Guid WorkspaceId, GenerationChanged Change) : ChangeMessage;

/// <summary>
/// Something in a workspace's gallery changed (an image starred, trashed, restored, put on a board...): <paramref name="What"/>
/// names it for the listener ("star", "trash", "board"), <paramref name="ItemId"/> is the image or board when there is one.
/// Publish through <see cref="GalleryNotifier.PublishAsync"/>.
/// </summary>
public sealed record GalleryChange(Guid WorkspaceId, string What, Guid? ItemId = null) : ChangeMessage;

/// <summary>
/// The one way changes travel (eShop's event bus, cut to what ImageHub needs): <see cref="PublishAsync"/> delivers a change
/// to this process's subscribers at once and, on PostgreSQL, hands it to <see cref="PostgresChangeTransport"/>, which sends
/// it to the other instances with NOTIFY and delivers theirs here. On SQLite (one process) the local delivery is all.
/// The notifiers (<see cref="GenerationNotifier"/>, <see cref="MembershipNotifier"/>, <see cref="GalleryNotifier"/>) sit
/// on top and route by workspace or user.
/// </summary>
public sealed class ChangeBus(ILogger<ChangeBus> logger)
{
    private ImmutableDictionary<Type, ImmutableList<Func<ChangeMessage, Task>>> handlers = ImmutableDictionary<Type, ImmutableList<Func<ChangeMessage, Task>>>.Empty;
    private ChannelWriter<ChangeMessage>? remote;

    /// <summary>Calls <paramref name="handler"/> for every <typeparamref name="T"/> published here or on another instance.</summary>
    public IDisposable Subscribe<T>(Func<T, Task> handler) where T : ChangeMessage
    {
        ArgumentNullException.ThrowIfNull(handler);
        Func<ChangeMessage, Task> wrapped = m => handler((T)m);
        ImmutableInterlocked.AddOrUpdate(ref handlers, typeof(T), _ => [wrapped], (_, list) => list.Add(wrapped));
        return new Subscription(() => ImmutableInterlocked.AddOrUpdate(ref handlers, typeof(T), _ => [], (_, list) => list.Remove(wrapped)));
    }

    /// <summary>Delivers <paramref name="message"/> here (returns once every local subscriber has taken it) and sends it to the other instances.</summary>
    public async Task PublishAsync(ChangeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        await DeliverAsync(message);
        if (remote is { } writer && !writer.TryWrite(message))
        {
            logger.LogWarning("A {Change} did not reach the other instances: the outgoing queue is full.", message.GetType().Name);
        }
    }

    /// <summary>Hands <paramref name="message"/> to this process's subscribers only (what the transport calls for other instances' changes).</summary>
    internal async Task DeliverAsync(ChangeMessage message)
    {
        if (!handlers.TryGetValue(message.GetType(), out var list)) return;
        foreach (var handler in list)
        {
            try
            {
                await handler(message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "A subscriber did not take a {Change}.", message.GetType().Name);
            }
        }
    }

    /// <summary>Where published changes go for the other instances (the transport attaches it; null detaches).</summary>
    internal void ConnectRemote(ChannelWriter<ChangeMessage>? writer) => Volatile.Write(ref remote, writer);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? pending = dispose;
        public void Dispose() => Interlocked.Exchange(ref pending, null)?.Invoke();
    }
}
