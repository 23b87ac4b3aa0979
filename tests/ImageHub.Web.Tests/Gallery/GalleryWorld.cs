using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Images;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Gallery;

/// <summary>
/// The app with a workspace "Studio" (owner olivia, member marco) and another one (bob's "Elsewhere"), each with an
/// API token; images are added as the worker leaves them (a finished generation, its files in the real store).
/// </summary>
public sealed class GalleryWorld : IAsyncDisposable
{
    public const string Owner = "olivia@example.com";
    public const string Member = "marco@example.com";
    public const string Outsider = "bob@example.com";
    public const string OwnerToken = "ihp_gallery_owner_token_0000000001";

    public ImageHubApp App { get; }
    public Guid Studio { get; private set; }
    public Guid Elsewhere { get; private set; }
    /// <summary>Olivia's token in Studio.</summary>
    public HttpClient Api { get; }
    /// <summary>Marco's token in Studio.</summary>
    public HttpClient MemberApi { get; private set; } = default!;
    /// <summary>Bob's token in Elsewhere.</summary>
    public HttpClient OutsiderApi { get; private set; } = default!;
    /// <summary>Nobody signed in (a browser that got the link).</summary>
    public HttpClient Anonymous { get; }

    private GalleryWorld(ImageHubApp app)
    {
        App = app;
        Api = Client(OwnerToken);
        Anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
    }

    private HttpClient Client(string token)
    {
        var client = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<GalleryWorld> CreateAsync(DatabaseKind kind, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Jobs:Enabled"] = "false",
            ["Bootstrap:AdminEmail"] = Owner,
            ["Bootstrap:AdminPassword"] = Arrange.Password,
            ["Bootstrap:Workspace"] = "Studio",
            ["Bootstrap:ApiToken"] = OwnerToken,
            ["Gallery:PurgeInterval"] = "1.00:00:00", // the tests purge by hand
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        var world = new GalleryWorld(ImageHubApp.Create(kind, settings));
        (await world.Anonymous.GetAsync("/health/live")).Dispose(); // starts the app (bootstrap runs on start)
        var owner = await world.App.UserIdAsync(Owner);
        world.Studio = await world.App.InScopeAsync(async sp => (await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(owner, null))!.WorkspaceId);
        await world.App.InScopeAsync(sp => sp.GetRequiredService<AccountService>().SetRegistrationModeAsync(RegistrationMode.Open));
        var invite = await world.App.CreateInviteAsync(Owner, world.Studio);
        using (var marco = world.App.CreateBrowser()) await marco.RegisterAsync(Member, Arrange.Password, invite);
        using (var bob = world.App.CreateBrowser()) await bob.RegisterAsync(Outsider, Arrange.Password);
        world.Elsewhere = await world.App.CreateWorkspaceAsync(Outsider, "Elsewhere");
        world.MemberApi = world.Client(await world.TokenAsync(Member, world.Studio));
        world.OutsiderApi = world.Client(await world.TokenAsync(Outsider, world.Elsewhere));
        return world;
    }

    private async Task<string> TokenAsync(string email, Guid workspace)
    {
        var token = "";
        await App.InWorkspaceAsync(email, workspace, async sp =>
        {
            var tokens = sp.GetRequiredService<ApiTokenService>();
            var made = await tokens.CreateAsync(await App.UserIdAsync(email), tokens.Draft("tests", ApiScopes.Read | ApiScopes.Generate));
            Assert.True(made.Succeeded, made.Message);
            token = made.Value!.Token;
        });
        return token;
    }

    /// <summary>A finished generation with one image of <paramref name="bytes"/> (a plain PNG unless given), stored as the worker stores it.</summary>
    public async Task<Guid> ImageAsync(string email, string provider, string prompt, string? model = null, TimeSpan? at = null,
        byte[]? bytes = null, string contentType = "image/png", Guid? workspace = null)
    {
        var id = Guid.Empty;
        await App.InWorkspaceAsync(email, workspace ?? Studio, async sp =>
        {
            var stored = await sp.GetRequiredService<ImageStore>().SaveAsync(bytes ?? TestImages.Png(prompt, withText: false), contentType, default);
            var db = sp.GetRequiredService<AppDbContext>();
            var created = App.Clock.GetUtcNow() + (at ?? TimeSpan.Zero);
            var generation = new Generation
            {
                ProviderId = provider, Prompt = prompt, Model = model, CreatedById = await App.UserIdAsync(email), CreatedAt = created,
                OptionsJson = """{"style":"photo"}""",
            };
            generation.BeginSubmission(created);
            generation.Accept("""{"provider":"test"}""", 1, null);
            generation.StartDownloading();
            generation.Succeed(1, null, null, created.AddSeconds(2));
            db.Add(generation);
            var image = new GeneratedImage
            {
                GenerationId = generation.Id, Sha256 = stored.Sha256, ContentType = contentType, Width = 2, Height = 2, Length = stored.Length, CreatedAt = created,
            };
            db.Add(image);
            await db.SaveChangesAsync();
            id = image.Id;
        });
        return id;
    }

    /// <summary>Where the store keeps the file of these bytes.</summary>
    public string FilePath(byte[] bytes, string extension)
    {
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        return Path.Combine(App.StorageRoot, "images", sha[..2], sha + extension);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        MemberApi?.Dispose();
        OutsiderApi?.Dispose();
        Anonymous.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>
/// Small real image files that carry a prompt the way generators do: PNG text chunks (tEXt, iTXt, zTXt) and eXIf,
/// JPEG APP1 (EXIF and XMP) and COM segments, WebP EXIF and XMP chunks. And readers that list a file's chunks.
/// </summary>
public static class TestImages
{
    /// <summary>A 2×2 RGB PNG; with <paramref name="withText"/>, the prompt in tEXt, iTXt, zTXt and eXIf chunks.</summary>
    public static byte[] Png(string prompt, bool withText = true)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, 2);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 2);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        Chunk(png, "IHDR", header);
        if (withText)
        {
            Chunk(png, "tEXt", [.. Encoding.Latin1.GetBytes("parameters\0" + prompt)]);
            Chunk(png, "iTXt", [.. Encoding.UTF8.GetBytes("prompt\0\0\0en\0prompt\0" + prompt)]);
            using var z = new MemoryStream();
            using (var zlib = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(Encoding.Latin1.GetBytes(prompt));
            Chunk(png, "zTXt", [.. Encoding.Latin1.GetBytes("Description\0"), 0, .. z.ToArray()]);
            Chunk(png, "eXIf", [.. "MM\0*"u8, .. Encoding.ASCII.GetBytes(prompt)]);
        }
        using var raw = new MemoryStream();
        var seed = Encoding.UTF8.GetBytes(prompt);
        for (var y = 0; y < 2; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < 6; x++) raw.WriteByte(seed[(y * 6 + x) % seed.Length]);
        }
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw.ToArray());
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A JPEG's structure with the prompt in EXIF (APP1), XMP (APP1) and a comment (COM).</summary>
    public static byte[] Jpeg(string prompt)
    {
        using var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        Segment(jpeg, 0xE0, [.. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        Segment(jpeg, 0xE1, [.. "Exif\0\0MM\0*"u8, .. Encoding.ASCII.GetBytes(prompt)]);
        Segment(jpeg, 0xE1, [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. Encoding.UTF8.GetBytes($"<x:xmpmeta><dc:description>{prompt}</dc:description></x:xmpmeta>")]);
        Segment(jpeg, 0xFE, Encoding.UTF8.GetBytes(prompt));
        Segment(jpeg, 0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        Segment(jpeg, 0xDA, [1, 1, 0, 0, 63, 0]);
        jpeg.Write([0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]); // scan data (with a stuffed FF) and EOI
        return jpeg.ToArray();
    }

    /// <summary>A WebP container (VP8X flags saying EXIF and XMP) with the prompt in EXIF and XMP chunks.</summary>
    public static byte[] WebP(string prompt)
    {
        using var body = new MemoryStream();
        body.Write("WEBP"u8);
        RiffChunk(body, "VP8X", [0b0000_1100, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
        RiffChunk(body, "VP8L", [0x2F, 0x01, 0x40, 0x00, 0x00, 0x07, 0x10, 0x11, 0x88, 0x88, 0xFE, 0x07, 0x00]);
        RiffChunk(body, "EXIF", [.. "MM\0*"u8, .. Encoding.ASCII.GetBytes(prompt)]);
        RiffChunk(body, "XMP ", Encoding.UTF8.GetBytes($"<x:xmpmeta>{prompt}</x:xmpmeta>"));
        var result = new byte[8 + body.Length];
        "RIFF"u8.CopyTo(result);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), (uint)body.Length);
        body.ToArray().CopyTo(result, 8);
        return result;
    }

    /// <summary>Every chunk of a PNG, in order, with its data.</summary>
    public static List<(string Type, byte[] Data)> PngChunks(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = new List<(string, byte[])>();
        var at = 8;
        while (at < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length).ToArray();
            Assert.Equal(Crc32([.. Encoding.ASCII.GetBytes(type), .. data]), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)));
            chunks.Add((type, data));
            at += 12 + length;
        }
        return chunks;
    }

    /// <summary>Every marker segment of a JPEG up to its scan (marker and payload).</summary>
    public static List<(byte Marker, byte[] Data)> JpegSegments(byte[] jpeg)
    {
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, jpeg[..2]);
        var segments = new List<(byte, byte[])>();
        var at = 2;
        while (at < jpeg.Length)
        {
            Assert.Equal(0xFF, jpeg[at]);
            var marker = jpeg[at + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));
            segments.Add((marker, jpeg.AsSpan(at + 4, length - 2).ToArray()));
            if (marker == 0xDA) break;
            at += 2 + length;
        }
        return segments;
    }

    /// <summary>Every chunk of a WebP (fourcc and data), checking the RIFF size.</summary>
    public static List<(string FourCc, byte[] Data)> WebPChunks(byte[] webp)
    {
        Assert.Equal("RIFF", Encoding.ASCII.GetString(webp, 0, 4));
        Assert.Equal(webp.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(webp.AsSpan(4)));
        Assert.Equal("WEBP", Encoding.ASCII.GetString(webp, 8, 4));
        var chunks = new List<(string, byte[])>();
        var at = 12;
        while (at < webp.Length)
        {
            var fourcc = Encoding.ASCII.GetString(webp, at, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(webp.AsSpan(at + 4));
            chunks.Add((fourcc, webp.AsSpan(at + 8, size).ToArray()));
            at += 8 + size + (size & 1);
        }
        return chunks;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type);
        png.Write(typed);
        png.Write(data);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. typed, .. data]));
        png.Write(crc);
    }

    private static void Segment(Stream jpeg, byte marker, byte[] data)
    {
        jpeg.Write([0xFF, marker, (byte)((data.Length + 2) >> 8), (byte)((data.Length + 2) & 0xFF)]);
        jpeg.Write(data);
    }

    private static void RiffChunk(Stream riff, string fourcc, byte[] data)
    {
        riff.Write(Encoding.ASCII.GetBytes(fourcc));
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(size, data.Length);
        riff.Write(size);
        riff.Write(data);
        if ((data.Length & 1) == 1) riff.WriteByte(0);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
