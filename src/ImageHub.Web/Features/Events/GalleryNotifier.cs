namespace ImageHub.Web.Features.Events;

/// <summary>
/// Gallery changes (stars, trash, boards...) to every open circuit of a workspace, on every instance (over the
/// <see cref="ChangeBus"/>). The gallery publishes with <see cref="PublishAsync"/> after it saved; pages subscribe per
/// workspace, marshal with InvokeAsync, re-read what they show, and dispose the subscription.
/// </summary>
public sealed class GalleryNotifier
{
    private readonly ChangeBus bus;
    private readonly Subscribers<Guid, GalleryChange> subscribers;

    public GalleryNotifier(ChangeBus bus, ILogger<GalleryNotifier> logger)
    {
        this.bus = bus;
        subscribers = new(logger);
        bus.Subscribe<GalleryChange>(c => subscribers.DeliverAsync(c.WorkspaceId, c));
    }

    public IDisposable Subscribe(Guid workspaceId, Func<GalleryChange, Task> onChange) => subscribers.Subscribe(workspaceId, onChange);

    /// <summary>Tells the workspace's open pages, here and on the other instances; call it once the change is saved.</summary>
    public Task PublishAsync(GalleryChange change) => bus.PublishAsync(change);
}
