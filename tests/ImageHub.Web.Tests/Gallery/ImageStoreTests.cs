using ImageHub.Sandbox.Imaging;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Infrastructure;
using ImageHub.Web.Infrastructure.Images;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ImageHub.Tests.Gallery;

public sealed class ImageStoreTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("imagehub-store-").FullName;

    private ImageStore Store(IThumbnailer? thumbnailer = null) => new(
        Options.Create(new StorageOptions { FullRoot = root }),
        thumbnailer ?? Thumbnailers.Detect(NullLogger.Instance),
        NullLogger<ImageStore>.Instance);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_same_bytes_are_stored_once_under_their_hash_and_read_back_whole()
    {
        var png = ImagePainter.PaintPng("a red fox", 7, 320, 200);
        var store = Store();

        var first = await store.SaveAsync(png, "image/png", Ct);
        var second = await store.SaveAsync(png, "image/png", Ct);

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(64, first.Sha256.Length);
        Assert.Single(Directory.GetFiles(Path.Combine(root, "images"), "*", SearchOption.AllDirectories));
        await using var stream = store.OpenImage(first.Sha256, "image/png");
        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        Assert.Equal(png, copy.ToArray());
    }

    [Fact]
    public async Task A_thumbnail_is_a_small_webp_made_on_first_request_and_kept()
    {
        var thumbnailer = Thumbnailers.Detect(NullLogger.Instance);
        if (thumbnailer.Engine == "none") Assert.Skip("vipsthumbnail is not installed (apt-get install libvips-tools).");
        var png = ImagePainter.PaintPng("a lighthouse", 1, 1024, 1024);
        var store = Store(thumbnailer);
        var stored = await store.SaveAsync(png, "image/png", Ct);
        Assert.False(Directory.Exists(Path.Combine(root, "thumbs")));

        // Several requests at once make one thumbnail.
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.OpenThumbnailAsync(stored.Sha256, "image/png", Ct)));

        Assert.All(opened, Assert.NotNull);
        foreach (var s in opened) await s!.DisposeAsync();
        var files = Directory.GetFiles(Path.Combine(root, "thumbs"), "*", SearchOption.AllDirectories);
        var thumb = Assert.Single(files);
        var bytes = await File.ReadAllBytesAsync(thumb, Ct);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal("WEBP", System.Text.Encoding.ASCII.GetString(bytes, 8, 4));
        Assert.True(bytes.Length < png.Length / 4, $"thumbnail of {bytes.Length} bytes for a {png.Length}-byte image");
    }

    [Fact]
    public async Task Without_a_thumbnailer_the_image_is_still_stored_and_there_is_no_thumbnail()
    {
        var png = ImagePainter.PaintPng("a boat", 3, 64, 64);
        var store = Store(new NoThumbnailer());

        var stored = await store.SaveAsync(png, "image/png", Ct);

        Assert.Null(await store.OpenThumbnailAsync(stored.Sha256, "image/png", Ct));
        await using var image = store.OpenImage(stored.Sha256, "image/png");
        Assert.NotNull(image);
    }

    [Fact]
    public async Task A_thumbnailer_that_fails_leaves_no_thumbnail_and_no_error()
    {
        var store = Store(new VipsCliThumbnailer("/bin/false"));
        var stored = await store.SaveAsync(ImagePainter.PaintPng("a kite", 5, 64, 64), "image/png", Ct);

        Assert.Null(await store.OpenThumbnailAsync(stored.Sha256, "image/png", Ct));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
