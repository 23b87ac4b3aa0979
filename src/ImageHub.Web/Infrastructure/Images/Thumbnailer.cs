using System.Diagnostics;
using System.Globalization;

namespace ImageHub.Web.Infrastructure.Images;

/// <summary>Makes a small WebP preview of a stored image. Never required: without one the gallery shows the original.</summary>
public interface IThumbnailer
{
    /// <summary>What makes the thumbnails ("vipsthumbnail" or "none"), for the log.</summary>
    string Engine { get; }

    /// <summary>A WebP that fits in <paramref name="size"/>×<paramref name="size"/>, or null when it cannot be made.</summary>
    Task<byte[]?> ThumbnailAsync(byte[] image, int size, CancellationToken cancellationToken);
}

public static class Thumbnailers
{
    /// <summary>
    /// libvips' <c>vipsthumbnail</c> (Debian's libvips-tools) when installed, else none (said once in the log).
    /// A separate process rather than libvips in ours: a native crash on a hostile image then costs one
    /// thumbnail, not the server (libvips called in-process killed the test host now and then).
    /// </summary>
    public static IThumbnailer Detect(ILogger logger)
    {
        var cli = new[] { "/usr/bin/vipsthumbnail", "/usr/local/bin/vipsthumbnail" }.FirstOrDefault(File.Exists);
        if (cli is not null) return new VipsCliThumbnailer(cli);
        logger.LogWarning("No thumbnailer found (vipsthumbnail). Images are stored and shown at full size; install libvips-tools for thumbnails.");
        return new NoThumbnailer();
    }
}

internal sealed class NoThumbnailer : IThumbnailer
{
    public string Engine => "none";
    public Task<byte[]?> ThumbnailAsync(byte[] image, int size, CancellationToken cancellationToken) => Task.FromResult<byte[]?>(null);
}

internal sealed class VipsCliThumbnailer(string executable) : IThumbnailer
{
    // One process per core at most, however many thumbnails a gallery page asks for at once.
    private readonly SemaphoreSlim slots = new(Environment.ProcessorCount);

    public string Engine => "vipsthumbnail";

    public async Task<byte[]?> ThumbnailAsync(byte[] image, int size, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        var dir = Directory.CreateTempSubdirectory("imagehub-thumb-");
        try
        {
            var input = Path.Combine(dir.FullName, "in");
            var output = Path.Combine(dir.FullName, "out.webp");
            await File.WriteAllBytesAsync(input, image, cancellationToken);
            using var process = Process.Start(new ProcessStartInfo(executable)
            {
                ArgumentList = { input, "-s", size.ToString(CultureInfo.InvariantCulture), "-o", output + "[Q=80]" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            try
            {
                await Task.WhenAll(process.StandardOutput.ReadToEndAsync(cancellationToken), process.StandardError.ReadToEndAsync(cancellationToken));
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw;
            }
            return process.ExitCode == 0 && File.Exists(output) ? await File.ReadAllBytesAsync(output, cancellationToken) : null;
        }
        finally
        {
            dir.Delete(recursive: true);
            slots.Release();
        }
    }
}
