using ImageHub.Web.Infrastructure.Changes;

namespace ImageHub.Web.Features.Gallery;

/// <summary>What changed in a workspace's gallery.</summary>
public enum GalleryChangeKind { Trashed, Restored, Starred, Boards }

/// <summary>
/// Something in a workspace's gallery changed: images moved to the trash or back, a star (stars are each member's own:
/// <paramref name="By"/> says whose), a board made or filled. <paramref name="ImageIds"/> are the images concerned; an
/// empty list means "many": the listener re-reads what it shows.
/// </summary>
public sealed record GalleryChange(Guid WorkspaceId, GalleryChangeKind Kind, Guid By, IReadOnlyList<Guid> ImageIds)
{
    /// <summary>Beyond this many ids a change names none, so it always fits one PostgreSQL notification.</summary>
    public const int MaxIds = 100;

    public static GalleryChange Of(Guid workspaceId, GalleryChangeKind kind, Guid by, IReadOnlyCollection<Guid> imageIds) =>
        new(workspaceId, kind, by, imageIds.Count <= MaxIds ? [.. imageIds] : []);
}

/// <summary>
/// Gallery changes to every open circuit of a workspace, on every instance (over the <see cref="ChangeBus"/>), by workspace.
/// <see cref="GalleryService"/> publishes once a change is saved; pages subscribe per workspace, marshal with
/// InvokeAsync, re-read what they show, and dispose the subscription.
/// </summary>
public sealed class GalleryNotifier(ChangeBus bus, ILogger<GalleryNotifier> logger)
    : ChangeNotifier<Guid, GalleryChange>(bus, logger, c => c.WorkspaceId);
