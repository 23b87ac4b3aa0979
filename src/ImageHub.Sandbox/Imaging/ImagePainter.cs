using System.Text;

namespace ImageHub.Sandbox.Imaging;

/// <summary>
/// Paints a deterministic picture from a prompt and a seed: a two-colour diagonal gradient, soft bands
/// and a disc, every parameter drawn from a 64-bit FNV-1a hash of (prompt, seed). Colours come from
/// per-diagonal lookup tables and rows repeat in pairs of four, so a 1024x1024 PNG takes milliseconds;
/// different prompts or seeds give visibly different images.
/// </summary>
public static class ImagePainter
{
    private const int RowBlock = 4;

    public static byte[] PaintPng(string prompt, long seed, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var rng = new SplitMix(Hash(prompt, seed));
        var from = (R: rng.NextByte(), G: rng.NextByte(), B: rng.NextByte());
        var to = (R: rng.NextByte(), G: rng.NextByte(), B: rng.NextByte());
        var disc = (R: rng.NextByte(), G: rng.NextByte(), B: rng.NextByte());
        var bandPeriod = 16 + (int)(rng.Next() % 112);
        var bandStrength = (byte)(8 + (int)(rng.Next() % 40));
        var cx = (int)(rng.Next() % (ulong)width);
        var cy = (int)(rng.Next() % (ulong)height);
        var radius = Math.Max(4, Math.Min(width, height) / (3 + (int)(rng.Next() % 4)));
        var r2 = (long)radius * radius;

        // Colour along the diagonal (index x + y) and band strength along the slanted axis (index 3x + y).
        var diagonal = width + height;
        var span = Math.Max(1, diagonal - 2);
        var gradient = new byte[diagonal * 3];
        for (var k = 0; k < diagonal; k++)
        {
            var t = k * 256 / span;
            gradient[k * 3] = (byte)(from.R + ((to.R - from.R) * t >> 8));
            gradient[k * 3 + 1] = (byte)(from.G + ((to.G - from.G) * t >> 8));
            gradient[k * 3 + 2] = (byte)(from.B + ((to.B - from.B) * t >> 8));
        }

        var bands = new byte[3 * width + height];
        for (var k = 0; k < bands.Length; k++)
        {
            bands[k] = (k / bandPeriod & 1) == 0 ? bandStrength : (byte)0;
        }

        return PngEncoder.Encode(width, height, (y, row) =>
        {
            if (y % RowBlock != 0)
            {
                return; // keep the previous row: the encoder sends it as a repeat
            }

            var dy = (long)(y - cy) * (y - cy);
            int discFrom = 1, discTo = 0;
            if (dy <= r2)
            {
                var dx = (int)Math.Sqrt(r2 - dy);
                (discFrom, discTo) = (cx - dx, cx + dx);
            }

            for (int x = 0, i = 0; x < width; x++, i += 3)
            {
                var band = bands[3 * x + y];
                if (x >= discFrom && x <= discTo)
                {
                    row[i] = Add(disc.R, band);
                    row[i + 1] = Add(disc.G, band);
                    row[i + 2] = Add(disc.B, band);
                }
                else
                {
                    var g = (x + y) * 3;
                    row[i] = Add(gradient[g], band);
                    row[i + 1] = Add(gradient[g + 1], band);
                    row[i + 2] = Add(gradient[g + 2], band);
                }
            }
        });
    }

    private static byte Add(byte value, byte band) => (byte)Math.Min(255, value + band);

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
