namespace ImageHub.Web.Infrastructure.Changes;

/// <summary>
/// Changes of one kind, published over the <see cref="ChangeBus"/> (so every instance hears them) and delivered to this
/// process's subscribers of the change's key (a workspace, a user). Subscribers marshal onto their circuit with
/// InvokeAsync and dispose the subscription; a failing subscriber never stops the others.
/// </summary>
public abstract class ChangeNotifier<TKey, TChange> where TKey : notnull where TChange : class
{
    private readonly ChangeBus bus;
    private readonly Subscribers<TKey, TChange> subscribers;

    protected ChangeNotifier(ChangeBus bus, ILogger logger, Func<TChange, TKey> keyOf)
    {
        this.bus = bus;
        subscribers = new(logger);
        bus.Subscribe<TChange>(c => subscribers.DeliverAsync(keyOf(c), c));
    }

    /// <summary>Calls <paramref name="onChange"/> for every change of <paramref name="key"/> until disposed.</summary>
    public IDisposable Subscribe(TKey key, Func<TChange, Task> onChange) => subscribers.Subscribe(key, onChange);

    /// <summary>Delivers <paramref name="change"/> to its key's subscribers here (returns once each has handled it) and on the other instances; call it once the change is saved.</summary>
    public Task PublishAsync(TChange change) => bus.PublishAsync(change);
}
