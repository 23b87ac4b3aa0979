using MudBlazor;

namespace ImageHub.Web.Features.Gallery;

/// <summary>
/// What the gallery's pages offer for handing out images. The sharing feature (Features/Sharing) implements it by naming
/// its share dialog, so the gallery does not depend on how links are made; the page opens the dialog with its own
/// (the circuit's) dialog service: <see cref="ImageSharingExtensions.ShowShareDialogAsync"/>.
/// </summary>
public interface IImageSharing
{
    /// <summary>The dialog that makes a public link to <paramref name="imageIds"/>, with its parameters.</summary>
    (Type Component, DialogParameters Parameters) DialogFor(IReadOnlyList<Guid> imageIds);
}

public static class ImageSharingExtensions
{
    public static Task<IDialogReference> ShowShareDialogAsync(this IDialogService dialogs, IImageSharing sharing, IReadOnlyList<Guid> imageIds, string title)
    {
        var (component, parameters) = sharing.DialogFor(imageIds);
        return dialogs.ShowAsync(component, title, parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
    }
}
