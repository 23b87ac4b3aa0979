using Microsoft.Extensions.Caching.Memory;

namespace ImageHub.Sandbox.Imaging;

/// <summary>Encoded PNGs by (prompt, seed, width, height), bounded by total bytes.</summary>
public sealed class PngCache : IDisposable
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 256L * 1024 * 1024 });

    public byte[] Get(string prompt, long seed, int width, int height) =>
        cache.GetOrCreate((prompt, seed, width, height), entry =>
        {
            var png = ImagePainter.PaintPng(prompt, seed, width, height);
            entry.Size = png.Length;
            return png;
        })!;

    public void Dispose() => cache.Dispose();
}
