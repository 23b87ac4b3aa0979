using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ImageHub.Web.Features.Gallery;

/// <summary>Makes a small WebP preview of a stored image. Never required: without one the gallery shows the original.</summary>
public interface IThumbnailer
{
    /// <summary>What makes the thumbnails ("libvips 8.14", "vipsthumbnail", "none"), for the log and the admin page.</summary>
    string Engine { get; }

    /// <summary>A WebP that fits in <paramref name="size"/>×<paramref name="size"/>, or null when it cannot be made.</summary>
    Task<byte[]?> ThumbnailAsync(byte[] image, int size, CancellationToken cancellationToken);
}

/// <summary>libvips through P/Invoke (PLATFORM.md: libvips.so.42), the Debian CLI when the library cannot load, else none.</summary>
public static class Thumbnailers
{
    public static IThumbnailer Detect(ILogger logger)
    {
        if (LibVipsThumbnailer.TryCreate(out var libvips)) return libvips;
        var cli = new[] { "/usr/bin/vipsthumbnail", "/usr/local/bin/vipsthumbnail" }.FirstOrDefault(File.Exists);
        if (cli is not null) return new VipsCliThumbnailer(cli);
        logger.LogWarning("No thumbnailer found (libvips.so.42 or vipsthumbnail). Images are stored and shown at full size; install libvips-tools for thumbnails.");
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
    public string Engine => "vipsthumbnail";

    public async Task<byte[]?> ThumbnailAsync(byte[] image, int size, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("imagehub-thumb-");
        try
        {
            var input = Path.Combine(dir.FullName, "in");
            var output = Path.Combine(dir.FullName, "out.webp");
            await File.WriteAllBytesAsync(input, image, cancellationToken);
            using var process = Process.Start(new ProcessStartInfo(executable)
            {
                ArgumentList = { input, "-s", size.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", output + "[Q=80]" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0 && File.Exists(output) ? await File.ReadAllBytesAsync(output, cancellationToken) : null;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

internal sealed unsafe partial class LibVipsThumbnailer : IThumbnailer
{
    private const string Vips = "libvips.so.42";

    private LibVipsThumbnailer() { }

    public string Engine => "libvips";

    public static bool TryCreate(out IThumbnailer thumbnailer)
    {
        thumbnailer = new NoThumbnailer();
        try
        {
            if (vips_init("imagehub") != 0) return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
        thumbnailer = new LibVipsThumbnailer();
        return true;
    }

    public Task<byte[]?> ThumbnailAsync(byte[] image, int size, CancellationToken cancellationToken) =>
        Task.Run(() => Thumbnail(image, size), cancellationToken);

    private static byte[]? Thumbnail(byte[] image, int size)
    {
        nint thumb = 0, buffer = 0;
        try
        {
            fixed (byte* data = image)
            {
                // Variadic in C; the option list ends with NULL. Only pointer/int arguments, so the SysV ABI call is plain.
                if (vips_thumbnail_buffer(data, (nuint)image.Length, out thumb, size, 0) != 0) return null;
            }
            if (vips_image_write_to_buffer(thumb, ".webp[Q=80]", out buffer, out var length, 0) != 0) return null;
            var bytes = new byte[checked((int)length)];
            Marshal.Copy(buffer, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            if (buffer != 0) g_free(buffer);
            if (thumb != 0) g_object_unref(thumb);
            vips_error_clear();
        }
    }

    [LibraryImport(Vips, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int vips_init(string argv0);

    [LibraryImport(Vips)]
    private static partial int vips_thumbnail_buffer(byte* buffer, nuint length, out nint image, int width, nint end);

    [LibraryImport(Vips, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int vips_image_write_to_buffer(nint image, string suffix, out nint buffer, out nuint length, nint end);

    [LibraryImport(Vips)]
    private static partial void vips_error_clear();

    [LibraryImport("libglib-2.0.so.0")]
    private static partial void g_free(nint pointer);

    [LibraryImport("libgobject-2.0.so.0")]
    private static partial void g_object_unref(nint pointer);
}
