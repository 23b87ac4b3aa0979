using System.Buffers.Binary;

namespace ImageHub.Providers.Images;

/// <summary>Recognises PNG, JPEG and WebP by their magic bytes and reads the pixel size from the header.</summary>
public static class ImageFormat
{
    public sealed record Info(string ContentType, int Width, int Height);

    public static Info? Identify(ReadOnlySpan<byte> data)
    {
        if (IsPng(data)) return Png(data);
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return Jpeg(data);
        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8)) return WebP(data);
        return null;
    }

    private static bool IsPng(ReadOnlySpan<byte> d) =>
        d.Length >= 8 && d[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });

    private static Info? Png(ReadOnlySpan<byte> d)
    {
        // Signature (8), then the IHDR chunk: length (4), "IHDR" (4), width (4, big-endian), height (4).
        if (d.Length < 24 || !d.Slice(12, 4).SequenceEqual("IHDR"u8)) return null;
        var w = BinaryPrimitives.ReadInt32BigEndian(d.Slice(16, 4));
        var h = BinaryPrimitives.ReadInt32BigEndian(d.Slice(20, 4));
        return w > 0 && h > 0 ? new Info("image/png", w, h) : null;
    }

    private static Info? Jpeg(ReadOnlySpan<byte> d)
    {
        var i = 2;
        while (i + 4 <= d.Length)
        {
            if (d[i] != 0xFF) { i++; continue; }
            var marker = d[i + 1];
            if (marker == 0xFF) { i++; continue; }                       // fill byte
            if (marker is 0xD8 or 0x01 || marker is >= 0xD0 and <= 0xD7) { i += 2; continue; } // no length
            if (marker is 0xD9 or 0xDA) return null;                      // end of image / start of scan before a SOF
            var length = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(i + 2, 2));
            if (length < 2) return null;
            var isSof = marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC);
            if (isSof)
            {
                if (i + 9 > d.Length) return null;
                var h = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(i + 5, 2));
                var w = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(i + 7, 2));
                return w > 0 && h > 0 ? new Info("image/jpeg", w, h) : null;
            }
            i += 2 + length;
        }
        return null;
    }

    private static Info? WebP(ReadOnlySpan<byte> d)
    {
        if (d.Length < 30) return null;
        var chunk = d.Slice(12, 4);
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Frame tag (3 bytes) at 20, start code 9D 01 2A at 23, then 14-bit width and height.
            if (d[23] != 0x9D || d[24] != 0x01 || d[25] != 0x2A) return null;
            var w = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(26, 2)) & 0x3FFF;
            var h = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(28, 2)) & 0x3FFF;
            return w > 0 && h > 0 ? new Info("image/webp", w, h) : null;
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            if (d[20] != 0x2F) return null;
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(21, 4));
            var w = (int)(bits & 0x3FFF) + 1;
            var h = (int)((bits >> 14) & 0x3FFF) + 1;
            return new Info("image/webp", w, h);
        }
        if (chunk.SequenceEqual("VP8X"u8))
        {
            var w = 1 + (d[24] | d[25] << 8 | d[26] << 16);
            var h = 1 + (d[27] | d[28] << 8 | d[29] << 16);
            return new Info("image/webp", w, h);
        }
        return null;
    }
}
