using System.Collections.Concurrent;
using System.Security.Cryptography;
using ImageHub.Web.Infrastructure;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Infrastructure.Images;

/// <summary>An image as stored: its SHA-256 (hex) names the file, so the same bytes are kept once.</summary>
public sealed record StoredImage(string Sha256, string ContentType, long Length);

/// <summary>
/// The app's own image store: content-addressed files under <c>{Storage:Root}/images</c>
/// (<c>images/ab/abcdef….png</c>) with WebP thumbnails beside them (<c>thumbs/ab/abcdef….webp</c>).
/// Writes are atomic (a temporary file moved into place), so a crash never leaves half an image under a
/// real name, and saving the same bytes twice is a no-op. Thumbnails are made on first request and kept,
/// so storing a generation's images never waits for them.
/// </summary>
public sealed class ImageStore(IOptions<StorageOptions> storage, IThumbnailer thumbnailer, ILogger<ImageStore> logger)
{
    public const int ThumbnailSize = 384;

    private readonly ConcurrentDictionary<string, Lazy<Task<bool>>> making = new();

    private string ImagesRoot => Path.Combine(storage.Value.FullRoot, "images");
    private string ThumbsRoot => Path.Combine(storage.Value.FullRoot, "thumbs");
    private string StrippedRoot => Path.Combine(storage.Value.FullRoot, "stripped");

    public async Task<StoredImage> SaveAsync(byte[] bytes, string contentType, CancellationToken cancellationToken)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await WriteOnceAsync(ImagePath(sha, contentType), bytes, cancellationToken);
        return new StoredImage(sha, contentType, bytes.LongLength);
    }

    /// <summary>Opens the stored image, or null when the file is missing.</summary>
    public Stream? OpenImage(string sha256, string contentType) => OpenOrNull(ImagePath(sha256, contentType));

    /// <summary>Opens the WebP thumbnail, making it first if need be; null when none can be made.</summary>
    public async Task<Stream?> OpenThumbnailAsync(string sha256, string contentType, CancellationToken cancellationToken)
    {
        var path = ThumbnailPath(sha256);
        if (OpenOrNull(path) is { } existing) return existing;
        if (thumbnailer.Engine == "none") return null;

        // One maker per image however many requests ask at once; the result is the file.
        var made = making.GetOrAdd(sha256, _ => new Lazy<Task<bool>>(() => MakeThumbnailAsync(sha256, contentType, path)));
        return await made.Value.WaitAsync(cancellationToken) ? OpenOrNull(path) : null;
    }

    /// <summary>
    /// The image (or its thumbnail) with its metadata removed (<see cref="MetadataStripper"/>), made once and
    /// kept under <c>stripped/</c>; the original is never touched. Null when the file is missing or not well formed.
    /// </summary>
    public async Task<(Stream Stream, string ContentType)?> OpenStrippedAsync(string sha256, string contentType, bool thumbnail, CancellationToken cancellationToken)
    {
        var servedType = contentType;
        byte[] source;
        if (thumbnail && await OpenThumbnailAsync(sha256, contentType, cancellationToken) is { } thumb)
        {
            servedType = "image/webp";
        }
        else
        {
            thumb = null;
        }
        var path = Path.Combine(StrippedRoot, Shard(sha256), sha256 + (thumb is null ? "" : ".thumb") + Extension(servedType));
        if (OpenOrNull(path) is { } existing)
        {
            if (thumb is not null) await thumb.DisposeAsync();
            return (existing, servedType);
        }
        if (thumb is not null)
        {
            await using (thumb)
            {
                using var buffer = new MemoryStream();
                await thumb.CopyToAsync(buffer, cancellationToken);
                source = buffer.ToArray();
            }
        }
        else
        {
            var original = ImagePath(sha256, contentType);
            if (!File.Exists(original)) return null;
            source = await File.ReadAllBytesAsync(original, cancellationToken);
        }
        if (MetadataStripper.Strip(source, servedType) is not { } stripped) return null;
        await WriteOnceAsync(path, stripped, cancellationToken);
        return OpenOrNull(path) is { } made ? (made, servedType) : null;
    }

    /// <summary>Deletes the image file and everything made from it (thumbnail, stripped variants). Call only when no row references it.</summary>
    public void Delete(string sha256, string contentType)
    {
        var shard = Shard(sha256);
        foreach (var path in new[]
                 {
                     ImagePath(sha256, contentType), ThumbnailPath(sha256),
                     Path.Combine(StrippedRoot, shard, sha256 + Extension(contentType)),
                     Path.Combine(StrippedRoot, shard, sha256 + ".thumb.webp"),
                 })
        {
            File.Delete(path);
        }
    }

    /// <summary>True when the stored file for these bytes exists.</summary>
    public bool Exists(string sha256, string contentType) => File.Exists(ImagePath(sha256, contentType));

    private async Task<bool> MakeThumbnailAsync(string sha256, string contentType, string path)
    {
        try
        {
            var image = await File.ReadAllBytesAsync(ImagePath(sha256, contentType));
            var thumbnail = await thumbnailer.ThumbnailAsync(image, ThumbnailSize, CancellationToken.None);
            if (thumbnail is null) return false;
            await WriteOnceAsync(path, thumbnail, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // A missing thumbnail costs a bigger download, never the image.
            logger.LogWarning(e, "Could not make a thumbnail for image {Sha256}", sha256);
            return false;
        }
        finally
        {
            making.TryRemove(sha256, out _);
        }
    }

    private string ImagePath(string sha256, string contentType) =>
        Path.Combine(ImagesRoot, Shard(sha256), sha256 + Extension(contentType));

    private string ThumbnailPath(string sha256) => Path.Combine(ThumbsRoot, Shard(sha256), sha256 + ".webp");

    private static string Shard(string sha256) =>
        sha256.Length == 64 && sha256.All(Uri.IsHexDigit)
            ? sha256[..2]
            : throw new ArgumentException("Not a SHA-256 in hex.", nameof(sha256));

    private static string Extension(string contentType) => contentType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        _ => ".bin",
    };

    private static FileStream? OpenOrNull(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static async Task WriteOnceAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        if (File.Exists(path)) return;
        PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await PrivateFiles.WriteNewAsync(temporary, bytes, cancellationToken); // 0600 from the start
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Someone stored the same bytes first: same name, same content.
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

public static class ImageStoreExtensions
{
    public static IServiceCollection AddImageStore(this IServiceCollection services)
    {
        services.AddSingleton(sp => Thumbnailers.Detect(sp.GetRequiredService<ILoggerFactory>().CreateLogger("ImageHub.Thumbnails")));
        services.AddSingleton<ImageStore>();
        return services;
    }
}
