namespace ImageHub.Web.Features.Gallery;

/// <summary>
/// What the gallery's pages offer for handing out images: the sharing feature (Features/Sharing) implements it by
/// opening its share dialog, so the gallery does not depend on how links are made.
/// </summary>
public interface IImageSharing
{
    /// <summary>Lets the member make a public link to <paramref name="imageIds"/>; returns once the dialog is open.</summary>
    Task ShareAsync(IReadOnlyList<Guid> imageIds, string title);
}
