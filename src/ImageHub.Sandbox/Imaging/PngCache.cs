using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ImageHub.Sandbox.Imaging;

/// <summary>Encoded PNGs by (prompt, seed, width, height), bounded by total bytes (<see cref="SandboxOptions.ImageCacheMegabytes"/>).</summary>
public sealed class PngCache(IOptions<SandboxOptions> options) : IDisposable
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.ImageCacheMegabytes) * 1024L * 1024 });

    public byte[] Get(string prompt, long seed, int width, int height) =>
        cache.GetOrCreate((prompt, seed, width, height), entry =>
        {
            var png = ImagePainter.PaintPng(prompt, seed, width, height);
            entry.Size = png.Length;
            return png;
        })!;

    public void Dispose() => cache.Dispose();
}
