using System.Buffers.Binary;
using System.IO.Compression;

namespace ImageHub.Sandbox.Imaging;

/// <summary>
/// A minimal PNG writer: 8-bit truecolour (RGB), one IDAT chunk, deflated by <see cref="ZLibStream"/> at
/// <see cref="CompressionLevel.Fastest"/>. Each scanline is filtered with "Sub", or with "Up" when it repeats
/// the row above (then it is all zeros, which deflate swallows almost for free).
/// </summary>
public static class PngEncoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public const int MaxDimension = 8192;

    /// <summary>
    /// Encodes an image whose rows are produced by <paramref name="paintRow"/> (RGB, 3 bytes per pixel).
    /// The buffer handed to the painter still holds the previous row: leave it untouched to repeat that row.
    /// </summary>
    public static byte[] Encode(int width, int height, Action<int, Span<byte>> paintRow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaxDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, MaxDimension);
        ArgumentNullException.ThrowIfNull(paintRow);

        var stride = width * 3;
        var idat = new MemoryStream(capacity: Math.Max(4096, stride * height / 8));
        using (var zlib = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[stride];
            var previous = new byte[stride];
            var filtered = new byte[stride + 1];
            var repeat = new byte[stride + 1];
            repeat[0] = 2; // filter type Up: each byte minus the byte above; a repeated row is all zeros
            for (var y = 0; y < height; y++)
            {
                paintRow(y, row);
                if (y > 0 && row.AsSpan().SequenceEqual(previous))
                {
                    zlib.Write(repeat);
                    continue;
                }

                row.CopyTo(previous, 0);
                filtered[0] = 1; // filter type Sub: each byte minus the byte of the pixel to its left
                filtered[1] = row[0];
                filtered[2] = row[1];
                filtered[3] = row[2];
                for (var i = 3; i < stride; i++)
                {
                    filtered[i + 1] = unchecked((byte)(row[i] - row[i - 3]));
                }

                zlib.Write(filtered);
            }
        }

        var output = new MemoryStream((int)idat.Length + 64);
        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method: adaptive
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR"u8, header);
        WriteChunk(output, "IDAT"u8, idat.GetBuffer().AsSpan(0, (int)idat.Length));
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    /// <summary>
    /// A copy of <paramref name="png"/> (one of ours: IHDR first) with a tEXt chunk after the header. Latin-1 text as
    /// PNG asks; other characters become '?'.
    /// </summary>
    public static byte[] WithText(byte[] png, string keyword, string text)
    {
        ArgumentNullException.ThrowIfNull(png);
        const int headerEnd = 8 + 4 + 4 + 13 + 4; // signature, then IHDR: length, type, 13 bytes, CRC
        if (png.Length < headerEnd || !png.AsSpan(0, 8).SequenceEqual(Signature) || !png.AsSpan(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new ArgumentException("Not a PNG that starts with its IHDR chunk.", nameof(png));
        }

        var data = System.Text.Encoding.Latin1.GetBytes($"{keyword}\0{text}");
        var output = new MemoryStream(png.Length + data.Length + 12);
        output.Write(png, 0, headerEnd);
        WriteChunk(output, "tEXt"u8, data);
        output.Write(png, headerEnd, png.Length - headerEnd);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        var crc = Crc32.Append(Crc32.Append(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }
}
