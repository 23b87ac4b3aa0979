using System.Net;
using static ImageHub.Providers.Tests.Sandbox.SandboxTestKit;

namespace ImageHub.Providers.Tests.Sandbox;

public sealed class SandboxImageTests
{
    [Fact]
    public async Task Koala_image_url_serves_a_valid_png_of_the_requested_size()
    {
        await using var sandbox = await StartAsync();
        using var koala = KoalaClient(sandbox);

        var (response, body) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"a lighthouse","size":"1344x768"}""");
        var url = body[0].GetProperty("url").GetString()!;
        var png = await koala.GetPngAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith(sandbox.RootUri.AbsoluteUri + "koala/images/", url);
        Assert.EndsWith("?width=1344&height=768", url);
        Assert.Equal((1344, 768, (byte)8, (byte)2), (png.Width, png.Height, png.BitDepth, png.ColourType));
        Assert.Equal(["IHDR", "IDAT", "IEND"], png.ChunkTypes);
    }

    [Fact]
    public async Task Same_prompt_and_seed_give_the_same_image_and_another_prompt_a_different_one()
    {
        await using var sandbox = await StartAsync();
        using var qolaba = QolabaClient(sandbox);
        const string request = """{"model":"vertex/imagen-4","prompt":"PROMPT","seed":42}""";

        var first = await qolaba.PostJsonAsync("api/v1/images/generate", request.Replace("PROMPT", "red fox"));
        var again = await qolaba.PostJsonAsync("api/v1/images/generate", request.Replace("PROMPT", "red fox"));
        var other = await qolaba.PostJsonAsync("api/v1/images/generate", request.Replace("PROMPT", "blue whale"));
        byte[] Url(System.Text.Json.JsonElement body) => qolaba.GetBytesAsync(body.GetProperty("images")[0].GetProperty("url").GetString()!).GetAwaiter().GetResult();
        var firstBytes = Url(first.Body);
        var againBytes = Url(again.Body);
        var otherBytes = Url(other.Body);

        Assert.NotEqual(first.Body.GetProperty("task_id").GetString(), again.Body.GetProperty("task_id").GetString());
        Assert.Equal(firstBytes, againBytes);
        Assert.NotEqual(PngFile.Parse(firstBytes).Pixels, PngFile.Parse(otherBytes).Pixels);
        Assert.Equal(42, first.Body.GetProperty("seed").GetInt64());
    }

    [Fact]
    public async Task Another_seed_paints_a_different_image_for_the_same_prompt()
    {
        await using var sandbox = await StartAsync();
        using var qolaba = QolabaClient(sandbox);

        var one = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4-fast","prompt":"red fox","seed":1}""");
        var two = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4-fast","prompt":"red fox","seed":2}""");
        var a = await qolaba.GetPngAsync(one.Body.GetProperty("images")[0].GetProperty("url").GetString()!);
        var b = await qolaba.GetPngAsync(two.Body.GetProperty("images")[0].GetProperty("url").GetString()!);

        Assert.NotEqual(a.Pixels, b.Pixels);
    }

    [Fact]
    public async Task Qolaba_aspect_ratio_sets_the_image_size_with_1024_on_the_long_side()
    {
        await using var sandbox = await StartAsync();
        using var qolaba = QolabaClient(sandbox);

        var (_, body) = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/nano-banana-flash","prompt":"cat","aspect_ratio":"9:16"}""");
        var image = body.GetProperty("images")[0];
        var png = await qolaba.GetPngAsync(image.GetProperty("url").GetString()!);

        Assert.Equal((576, 1024), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
        Assert.Equal((576, 1024), (png.Width, png.Height));
        Assert.Equal("image/png", image.GetProperty("content_type").GetString());
    }

    [Fact]
    public async Task Coals_webp_url_serves_png_bytes_of_width_by_height_with_an_honest_content_type()
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox);

        var (_, body) = await coals.PostJsonAsync("generate", """{"prompt":"red fox","width":512,"height":768}""");
        var url = body.GetProperty("image_url").GetString()!;
        var png = await coals.GetPngAsync(url);

        Assert.EndsWith(".webp", url);
        Assert.Equal((512, 768), (png.Width, png.Height));
    }

    [Fact]
    public async Task Kolbo_completed_urls_serve_pngs_in_the_requested_aspect_ratio()
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox);

        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"city at night","model":"flux-2-pro","aspect_ratio":"16:9","num_images":2}""");
        var (_, status) = await kolbo.GetJsonAsync(started.GetProperty("poll_url").GetString()!.TrimStart('/'));
        var urls = status.GetProperty("result").GetProperty("urls").EnumerateArray().Select(u => u.GetString()!).ToList();
        var pngs = new List<PngFile>();
        foreach (var url in urls)
        {
            pngs.Add(await kolbo.GetPngAsync(url));
        }

        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.Equal(2, urls.Count);
        Assert.All(pngs, png => Assert.Equal((1024, 576), (png.Width, png.Height)));
        Assert.NotEqual(pngs[0].Pixels, pngs[1].Pixels);
    }

    [Fact]
    public async Task Pre_painted_mode_serves_one_picture_at_the_requested_size_with_distinct_bytes_per_prompt()
    {
        await using var sandbox = await StartAsync(options => options.PrePaintedImages = true);
        using var coals = CoalsClient(sandbox);

        async Task<byte[]> Image(string prompt)
        {
            var (_, body) = await coals.PostJsonAsync("generate", $$"""{"prompt":"{{prompt}}","width":512,"height":768}""");
            return await coals.GetBytesAsync(body.GetProperty("image_url").GetString()!);
        }
        var fox = await Image("red fox");
        var whale = await Image("blue whale");
        var (foxPng, whalePng) = (PngFile.Parse(fox), PngFile.Parse(whale));

        Assert.Equal((512, 768), (foxPng.Width, foxPng.Height));
        Assert.Equal(["IHDR", "tEXt", "IDAT", "IEND"], foxPng.ChunkTypes);
        Assert.Equal(foxPng.Pixels, whalePng.Pixels);
        Assert.NotEqual(fox, whale);
    }

    [Fact]
    public async Task Unknown_image_id_is_a_404_not_a_crash()
    {
        await using var sandbox = await StartAsync();
        using var http = Plain(sandbox.RootUri);

        using var response = await http.GetAsync("koala/images/v2-nope.png", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Image not found.", (await response.ReadJsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        var crc = ImageHub.Sandbox.Imaging.Crc32.Compute("123456789"u8);

        Assert.Equal(0xCBF43926u, crc);
    }

    [Fact]
    public void Painter_gives_identical_bytes_for_identical_inputs_and_a_valid_png_for_odd_sizes()
    {
        var first = ImageHub.Sandbox.Imaging.ImagePainter.PaintPng("tiny", 3, 7, 5);
        var second = ImageHub.Sandbox.Imaging.ImagePainter.PaintPng("tiny", 3, 7, 5);
        var png = PngFile.Parse(first);

        Assert.Equal(first, second);
        Assert.Equal((7, 5), (png.Width, png.Height));
    }
}
