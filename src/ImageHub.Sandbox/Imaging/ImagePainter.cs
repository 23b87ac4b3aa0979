using System.Text;

namespace ImageHub.Sandbox.Imaging;

/// <summary>
/// Paints a deterministic picture from a prompt and a seed: a two-colour diagonal gradient, soft bands
/// and a disc, every parameter drawn from a 64-bit FNV-1a hash of (prompt, seed). Cheap per pixel, so a
/// 1024x1024 PNG encodes in milliseconds; different prompts or seeds give visibly different images.
/// </summary>
public static class ImagePainter
{
    public static byte[] PaintPng(string prompt, long seed, int width, int height)
    {
        var hash = Hash(prompt, seed);
        var rng = new SplitMix(hash);
        var from = (R: rng.NextByte(), G: rng.NextByte(), B: rng.NextByte());
        var to = (R: rng.NextByte(), G: rng.NextByte(), B: rng.NextByte());
        var disc = (R: rng.NextByte(), G: rng.NextByte(), B: rng.NextByte());
        var bandPeriod = 16 + (int)(rng.Next() % 112);
        var bandStrength = 8 + (int)(rng.Next() % 40);
        var cx = (int)(rng.Next() % (ulong)width);
        var cy = (int)(rng.Next() % (ulong)height);
        var radius = Math.Max(4, Math.Min(width, height) / (3 + (int)(rng.Next() % 4)));
        var r2 = (long)radius * radius;
        var span = Math.Max(1, width + height - 2);

        return PngEncoder.Encode(width, height, (y, row) =>
        {
            var dy = (long)(y - cy) * (y - cy);
            for (int x = 0, i = 0; x < width; x++, i += 3)
            {
                var t = (x + y) * 256 / span; // 0..256 along the diagonal
                var band = ((x * 3 + y) / bandPeriod & 1) == 0 ? bandStrength : 0;
                int r, g, b;
                if ((long)(x - cx) * (x - cx) + dy <= r2)
                {
                    (r, g, b) = (disc.R, disc.G, disc.B);
                }
                else
                {
                    r = from.R + ((to.R - from.R) * t >> 8);
                    g = from.G + ((to.G - from.G) * t >> 8);
                    b = from.B + ((to.B - from.B) * t >> 8);
                }

                row[i] = (byte)Math.Min(255, r + band);
                row[i + 1] = (byte)Math.Min(255, g + band);
                row[i + 2] = (byte)Math.Min(255, b + band);
            }
        });
    }

    private static ulong Hash(string prompt, long seed)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(prompt))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        for (var i = 0; i < 8; i++)
        {
            hash = (hash ^ (byte)(seed >> (i * 8))) * 1099511628211UL;
        }

        return hash;
    }

    private struct SplitMix(ulong state)
    {
        public ulong Next()
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public byte NextByte() => (byte)(Next() >> 56);
    }
}
