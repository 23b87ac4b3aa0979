using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ImageHub.Providers.Tests.Sandbox;

/// <summary>
/// Reads a PNG back the strict way: signature, every chunk's CRC (computed here bit by bit, independent
/// of the sandbox's table), IHDR, and the inflated IDAT length; un-filters the scanlines to RGB.
/// </summary>
internal sealed record PngFile(int Width, int Height, byte BitDepth, byte ColourType, IReadOnlyList<string> ChunkTypes, byte[] Pixels)
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static PngFile Parse(byte[] bytes)
    {
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(Signature))
        {
            throw new InvalidDataException("Not a PNG: the signature is wrong.");
        }

        var types = new List<string>();
        var idat = new MemoryStream();
        int width = 0, height = 0;
        byte depth = 0, colour = 0;
        var offset = 8;
        while (offset < bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
            var type = Encoding.ASCII.GetString(bytes, offset + 4, 4);
            var data = bytes.AsSpan(offset + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 8 + length));
            if (crc != BitwiseCrc32(bytes.AsSpan(offset + 4, length + 4)))
            {
                throw new InvalidDataException($"Chunk {type} has a wrong CRC.");
            }

            types.Add(type);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    depth = data[8];
                    colour = data[9];
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
            }

            offset += 12 + length;
        }

        idat.Position = 0;
        using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        inflater.CopyTo(raw);
        var stride = width * 3;
        if (raw.Length != (long)height * (stride + 1))
        {
            throw new InvalidDataException($"IDAT inflates to {raw.Length} bytes, expected {height * (stride + 1)}.");
        }

        return new PngFile(width, height, depth, colour, types, Unfilter(raw.ToArray(), width, height));
    }

    private static byte[] Unfilter(byte[] raw, int width, int height)
    {
        var stride = width * 3;
        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var output = pixels.AsSpan(y * stride, stride);
            for (var i = 0; i < stride; i++)
            {
                int left = i >= 3 ? output[i - 3] : 0;
                int up = y > 0 ? pixels[(y - 1) * stride + i] : 0;
                output[i] = filter switch
                {
                    0 => line[i],
                    1 => (byte)(line[i] + left),
                    2 => (byte)(line[i] + up),
                    _ => throw new InvalidDataException($"Filter type {filter} is not expected from the sandbox."),
                };
            }
        }

        return pixels;
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
