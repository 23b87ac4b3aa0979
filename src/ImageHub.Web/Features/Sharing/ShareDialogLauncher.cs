using ImageHub.Web.Features.Gallery;
using MudBlazor;

namespace ImageHub.Web.Features.Sharing;

/// <summary>The gallery's "Share" actions open <see cref="ShareDialog"/> for the chosen images.</summary>
internal sealed class ShareDialogLauncher : IImageSharing
{
    public (Type Component, DialogParameters Parameters) DialogFor(IReadOnlyList<Guid> imageIds) =>
        (typeof(ShareDialog), new DialogParameters<ShareDialog> { { d => d.ImageIds, imageIds } });
}
