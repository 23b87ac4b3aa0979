using System.Net;
using ImageHub.Providers.Images;

namespace ImageHub.Providers.Tests.Unit;

public sealed class ImageFormatTests
{
    [Fact]
    public void Jpeg_size_is_read_from_its_start_of_frame()
    {
        byte[] jpeg =
        [
            0xFF, 0xD8,                                     // SOI
            0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, // APP0
            0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, // SOF0 600x800
        ];

        Assert.Equal(new ImageFormat.Info("image/jpeg", 800, 600), ImageFormat.Identify(jpeg));
    }

    [Fact]
    public void WebP_size_is_read_from_lossy_lossless_and_extended_headers()
    {
        Assert.Equal(new ImageFormat.Info("image/webp", 640, 480), ImageFormat.Identify(WebP("VP8 ", [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01])));
        var bits = (640u - 1) | ((480u - 1) << 14);
        Assert.Equal(new ImageFormat.Info("image/webp", 640, 480), ImageFormat.Identify(WebP("VP8L", [0x2F, (byte)bits, (byte)(bits >> 8), (byte)(bits >> 16), (byte)(bits >> 24), 0, 0, 0, 0, 0])));
        Assert.Equal(new ImageFormat.Info("image/webp", 2048, 1024), ImageFormat.Identify(WebP("VP8X", [0x10, 0, 0, 0, 0xFF, 0x07, 0x00, 0xFF, 0x03, 0x00])));
    }

    [Fact]
    public void Other_files_are_not_images()
    {
        Assert.Null(ImageFormat.Identify("GIF89a......................"u8));
        Assert.Null(ImageFormat.Identify("{\"error\":\"not found\"}"u8));
        Assert.Null(ImageFormat.Identify([]));
    }

    private static byte[] WebP(string chunk, byte[] payload)
    {
        var data = new List<byte>();
        data.AddRange("RIFF"u8.ToArray());
        data.AddRange(BitConverter.GetBytes(4 + 8 + payload.Length));
        data.AddRange("WEBP"u8.ToArray());
        data.AddRange(System.Text.Encoding.ASCII.GetBytes(chunk));
        data.AddRange(BitConverter.GetBytes(payload.Length));
        data.AddRange(payload);
        return [.. data];
    }
}

public sealed class NetworkGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    public void Non_public_addresses_are_recognised(string address) =>
        Assert.True(NetworkGuard.IsNonPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("93.184.216.34")]
    [InlineData("2606:4700:4700::1111")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.False(NetworkGuard.IsNonPublic(IPAddress.Parse(address)));
}
