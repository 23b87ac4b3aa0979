using System.Buffers.Binary;
using System.Text;

namespace ImageHub.Web.Infrastructure.Images;

/// <summary>
/// Removes the places an image file carries text (a prompt, software, camera data) without decoding the image:
/// PNG's tEXt, iTXt, zTXt and eXIf chunks; JPEG's APP1 (EXIF, XMP), APP13 (IPTC) and COM segments; WebP's EXIF and
/// XMP chunks (and their VP8X flags). Every other chunk or segment is copied byte for byte, so the picture is the
/// same. Input that is not a well-formed file of its type is refused (null): a share then serves nothing rather than
/// an unchecked file.
/// </summary>
public static class MetadataStripper
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly HashSet<string> PngTextChunks = ["tEXt", "iTXt", "zTXt", "eXIf"];

    /// <summary>The bytes without metadata, or null when they are not a well-formed image of <paramref name="contentType"/>.</summary>
    public static byte[]? Strip(ReadOnlySpan<byte> image, string contentType) => contentType switch
    {
        "image/png" => StripPng(image),
        "image/jpeg" => StripJpeg(image),
        "image/webp" => StripWebP(image),
        _ => null,
    };

    public static byte[]? StripPng(ReadOnlySpan<byte> png)
    {
        if (png.Length < PngSignature.Length || !png[..PngSignature.Length].SequenceEqual(PngSignature)) return null;
        using var output = new MemoryStream(png.Length);
        output.Write(PngSignature);
        var at = PngSignature.Length;
        while (at < png.Length)
        {
            if (png.Length - at < 12) return null;
            var length = BinaryPrimitives.ReadUInt32BigEndian(png[at..]);
            if (length > int.MaxValue || png.Length - at - 12 < length) return null;
            var total = 12 + (int)length;
            var type = Encoding.ASCII.GetString(png.Slice(at + 4, 4));
            if (!PngTextChunks.Contains(type)) output.Write(png.Slice(at, total));
            at += total;
            if (type == "IEND") return output.ToArray(); // anything after IEND is not part of the image
        }
        return null; // no IEND: truncated
    }

    public static byte[]? StripJpeg(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return null;
        using var output = new MemoryStream(jpeg.Length);
        output.Write(jpeg[..2]);
        var at = 2;
        while (at < jpeg.Length)
        {
            if (jpeg[at] != 0xFF || jpeg.Length - at < 2) return null;
            var marker = jpeg[at + 1];
            if (marker == 0xFF) { at++; continue; } // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) // standalone markers
            {
                output.Write(jpeg.Slice(at, 2));
                at += 2;
                continue;
            }
            if (marker == 0xD9) // EOI
            {
                output.Write(jpeg.Slice(at, 2));
                return output.ToArray();
            }
            if (jpeg.Length - at < 4) return null;
            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 2)..]);
            if (length < 2 || jpeg.Length - at - 2 < length) return null;
            var segment = jpeg.Slice(at, 2 + length);
            if (marker == 0xDA)
            {
                // Start of scan: the entropy-coded data and everything after it (more scans, EOI) are the picture.
                output.Write(jpeg[at..]);
                return output.ToArray();
            }
            var metadata = marker is 0xE1 or 0xED or 0xFE; // APP1 (EXIF, XMP), APP13 (IPTC/Photoshop), COM
            if (!metadata) output.Write(segment);
            at += segment.Length;
        }
        return null;
    }

    public static byte[]? StripWebP(ReadOnlySpan<byte> webp)
    {
        if (webp.Length < 12 || !webp[..4].SequenceEqual("RIFF"u8) || !webp.Slice(8, 4).SequenceEqual("WEBP"u8)) return null;
        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(webp[4..]);
        if (riffSize < 4 || riffSize > webp.Length - 8) return null;
        var body = webp.Slice(12, (int)riffSize - 4);
        using var chunks = new MemoryStream(body.Length);
        var at = 0;
        while (at < body.Length)
        {
            if (body.Length - at < 8) return null;
            var fourcc = body.Slice(at, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(body[(at + 4)..]);
            var padded = size + (size & 1);
            if (padded > int.MaxValue || body.Length - at - 8 < (long)padded)
            {
                // Some writers leave the last odd-sized chunk unpadded.
                if (body.Length - at - 8 != size) return null;
                padded = size;
            }
            var chunk = body.Slice(at, 8 + (int)padded);
            if (fourcc.SequenceEqual("EXIF"u8) || fourcc.SequenceEqual("XMP "u8))
            {
                // dropped
            }
            else if (fourcc.SequenceEqual("VP8X"u8) && size >= 1)
            {
                var copy = chunk.ToArray();
                copy[8] &= 0b1111_0011; // clear the EXIF (0x08) and XMP (0x04) flags
                chunks.Write(copy);
            }
            else
            {
                chunks.Write(chunk);
            }
            at += chunk.Length;
        }
        var result = new byte[12 + chunks.Length];
        "RIFF"u8.CopyTo(result);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), (uint)(4 + chunks.Length));
        "WEBP"u8.CopyTo(result.AsSpan(8));
        chunks.ToArray().CopyTo(result, 12);
        return result;
    }
}
