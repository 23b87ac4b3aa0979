using ImageHub.Sandbox.Imaging;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Infrastructure;
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

    [Fact]
    public async Task The_same_bytes_are_stored_once_under_their_hash_and_read_back_whole()
    {
        var png = ImagePainter.PaintPng("a red fox", 7, 320, 200);
        var store = Store();

        var first = await store.SaveAsync(png, "image/png", TestContext.Current.CancellationToken);
        var second = await store.SaveAsync(png, "image/png", TestContext.Current.CancellationToken);

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(64, first.Sha256.Length);
        Assert.Single(Directory.GetFiles(Path.Combine(root, "images"), "*", SearchOption.AllDirectories));
        await using var stream = store.OpenImage(first.Sha256, "image/png");
        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(png, copy.ToArray());
    }

    [Fact]
    public async Task A_thumbnail_is_a_small_webp_when_libvips_is_installed()
    {
        var thumbnailer = Thumbnailers.Detect(NullLogger.Instance);
        if (thumbnailer.Engine == "none") Assert.Skip("Neither libvips.so.42 nor vipsthumbnail is installed (apt-get install libvips-tools).");
        var png = ImagePainter.PaintPng("a lighthouse", 1, 1024, 1024);

        var stored = await Store(thumbnailer).SaveAsync(png, "image/png", TestContext.Current.CancellationToken);

        Assert.True(stored.HasThumbnail);
        await using var thumb = Store(thumbnailer).OpenThumbnail(stored.Sha256);
        Assert.NotNull(thumb);
        var header = new byte[12];
        await thumb.ReadExactlyAsync(header, TestContext.Current.CancellationToken);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(header, 0, 4));
        Assert.Equal("WEBP", System.Text.Encoding.ASCII.GetString(header, 8, 4));
        Assert.True(thumb.Length < png.Length / 4, $"thumbnail of {thumb.Length} bytes for a {png.Length}-byte image");
    }

    [Fact]
    public async Task Without_a_thumbnailer_the_image_is_still_stored()
    {
        var png = ImagePainter.PaintPng("a boat", 3, 64, 64);

        var stored = await Store(new NoThumbnailer()).SaveAsync(png, "image/png", TestContext.Current.CancellationToken);

        Assert.False(stored.HasThumbnail);
        Assert.Null(Store().OpenThumbnail(stored.Sha256));
        Assert.NotNull(Store().OpenImage(stored.Sha256, "image/png"));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
