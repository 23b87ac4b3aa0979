namespace ImageHub.Sandbox.Imaging;

/// <summary>CRC-32 (ISO-HDLC, polynomial 0xEDB88320) as PNG chunks need it; System.IO.Hashing is not in the feed.</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    /// <summary>Continues a running (not yet finalised) CRC register: start with 0xFFFFFFFF, finish with ^ 0xFFFFFFFF.</summary>
    public static uint Append(uint register, ReadOnlySpan<byte> data)
    {
        var crc = register;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
