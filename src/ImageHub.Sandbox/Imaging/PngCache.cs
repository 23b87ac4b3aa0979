using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ImageHub.Sandbox.Imaging;

/// <summary>
/// Encoded PNGs by (prompt, seed, width, height), bounded by total bytes (<see cref="SandboxOptions.ImageCacheMegabytes"/>).
/// With <see cref="SandboxOptions.PrePaintedImages"/> one picture per size is painted once and each (prompt, seed)
/// gets it stamped with its own text chunk: distinct bytes for a copy, no painting.
/// </summary>
public sealed class PngCache(IOptions<SandboxOptions> options) : IDisposable
{
    private const string PrePaintedPrompt = "pre-painted";

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.ImageCacheMegabytes) * 1024L * 1024 });
    private readonly ConcurrentDictionary<(int Width, int Height), byte[]> prePainted = new();

    public byte[] Get(string prompt, long seed, int width, int height)
    {
        if (options.Value.PrePaintedImages)
        {
            var picture = prePainted.GetOrAdd((width, height), size => ImagePainter.PaintPng(PrePaintedPrompt, 0, size.Width, size.Height));
            return PngEncoder.WithText(picture, "Comment", $"seed {seed}: {prompt}");
        }

        return cache.GetOrCreate((prompt, seed, width, height), entry =>
        {
            var png = ImagePainter.PaintPng(prompt, seed, width, height);
            entry.Size = png.Length;
            return png;
        })!;
    }

    public void Dispose() => cache.Dispose();
}
