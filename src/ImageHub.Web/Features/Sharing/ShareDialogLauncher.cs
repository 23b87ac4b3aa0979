using ImageHub.Web.Features.Gallery;
using MudBlazor;

namespace ImageHub.Web.Features.Sharing;

/// <summary>The gallery's "Share" actions: the share dialog for the chosen images, in the page's circuit.</summary>
internal sealed class ShareDialogLauncher(IDialogService dialogs) : IImageSharing
{
    public Task ShareAsync(IReadOnlyList<Guid> imageIds, string title)
    {
        var parameters = new DialogParameters<ShareDialog> { { d => d.ImageIds, imageIds } };
        return dialogs.ShowAsync<ShareDialog>(title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
    }
}
