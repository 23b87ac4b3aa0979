using ImageHub.Web.Infrastructure.Changes;

namespace ImageHub.Web.Features.Events;

/// <summary>
/// Something in a workspace's gallery changed (an image starred, trashed, restored, put on a board...): <paramref name="What"/>
/// names it for the listener ("star", "trash", "board"), <paramref name="ItemId"/> is the image or board when there is one.
/// Publish through <see cref="GalleryNotifier.PublishAsync"/>.
/// </summary>
public sealed record GalleryChange(Guid WorkspaceId, string What, Guid? ItemId = null);

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
