using System.Net;
using static ImageHub.Providers.Tests.Sandbox.SandboxTestKit;

namespace ImageHub.Providers.Tests.Sandbox;

public sealed class SandboxCatalogueTests
{
    [Fact]
    public async Task Qolaba_lists_the_five_vertex_models_with_sizes_qualities_and_prices()
    {
        await using var sandbox = await StartAsync();
        using var qolaba = QolabaClient(sandbox);

        var (response, body) = await qolaba.GetJsonAsync("api/v1/images/models");
        var models = body.GetProperty("models").EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["vertex/imagen-4", "vertex/imagen-4-fast", "vertex/imagen-4-ultra", "vertex/nano-banana-flash", "vertex/nano-banana-pro"],
            models.Select(m => m.GetProperty("id").GetString()).Order());
        Assert.All(models, m =>
        {
            Assert.NotEqual(0, m.GetProperty("imageSize").GetArrayLength());
            Assert.Equal(m.GetProperty("quality").GetArrayLength(), m.GetProperty("quality_pricing").EnumerateObject().Count());
            Assert.True(m.GetProperty("maxNumImages").GetInt32() >= m.GetProperty("defaultNumImages").GetInt32());
            Assert.True(m.TryGetProperty("supportsSeed", out _));
        });
    }

    [Fact]
    public async Task Kolbo_lists_image_models_with_credits_ratios_and_reference_limits()
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox);

        var (_, images) = await kolbo.GetJsonAsync("v1/models?type=image");
        var (_, all) = await kolbo.GetJsonAsync("v1/models");
        var models = images.GetProperty("models").EnumerateArray().ToList();

        Assert.True(images.GetProperty("success").GetBoolean());
        Assert.Equal(models.Count, images.GetProperty("count").GetInt32());
        Assert.True(models.Count >= 3);
        Assert.True(all.GetProperty("count").GetInt32() > models.Count);
        Assert.All(models, m =>
        {
            // types is documented without its values: the sandbox serves values no client could guess.
            Assert.DoesNotContain("image", m.GetProperty("types").EnumerateArray().Select(t => t.GetString()));
            Assert.NotEqual(0, m.GetProperty("types").GetArrayLength());
            Assert.True(m.GetProperty("credit").GetDecimal() > 0);
            Assert.NotEqual(0, m.GetProperty("supported_aspect_ratios").GetArrayLength());
            Assert.True(m.TryGetProperty("max_reference_images", out _));
        });
        Assert.Single(models, m => m.GetProperty("recommended").GetBoolean());
    }

    [Fact]
    public async Task Kolbo_lists_moodboards_and_visual_dnas_that_a_generation_can_use()
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox);

        var (_, moodboards) = await kolbo.GetJsonAsync("v1/moodboards");
        var (_, dnas) = await kolbo.GetJsonAsync("v1/visual-dna");
        var moodboard = moodboards.GetProperty("moodboards")[0].GetProperty("id").GetString();
        var dna = dnas.GetProperty("visual_dnas")[0].GetProperty("id").GetString();
        var (response, _) = await kolbo.PostJsonAsync("v1/generate/image", $$"""{"prompt":"cat","moodboard_id":"{{moodboard}}","visual_dna_ids":["{{dna}}"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Coals_gallery_lists_gets_and_deletes_a_keys_own_images()
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox);
        using var stranger = CoalsClient(sandbox, "someone-else");
        await coals.PostJsonAsync("generate", """{"prompt":"fox","num_images":3}""");

        var (_, page) = await coals.GetJsonAsync("images?page=2&per_page=2");
        var id = page.GetProperty("images")[0].GetProperty("image_id").GetString();
        var (found, image) = await coals.GetJsonAsync($"images/{id}");
        var (hidden, _) = await stranger.GetJsonAsync($"images/{id}");
        using var deleted = await coals.DeleteAsync($"images/{id}", Ct);
        var (gone, goneBody) = await coals.GetJsonAsync($"images/{id}");
        var (_, after) = await coals.GetJsonAsync("images");

        Assert.Equal((2, 2, 3, 2), (page.GetProperty("pagination").GetProperty("page").GetInt32(), page.GetProperty("pagination").GetProperty("per_page").GetInt32(),
            page.GetProperty("pagination").GetProperty("total").GetInt32(), page.GetProperty("pagination").GetProperty("total_pages").GetInt32()));
        Assert.Equal(1, page.GetProperty("images").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("fox", image.GetProperty("image").GetProperty("prompt").GetString());
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("Image not found.", goneBody.GetProperty("error").GetString());
        Assert.Equal(2, after.GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("images?per_page=500")]
    [InlineData("images?page=0")]
    [InlineData("images?page=two")]
    public async Task Coals_gallery_refuses_bad_paging_with_a_flat_error(string path)
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox);

        var (response, body) = await coals.GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(System.Text.Json.JsonValueKind.String, body.GetProperty("error").ValueKind);
    }

    [Theory]
    [InlineData("quota", "good-key", HttpStatusCode.OK)]
    [InlineData("quota", "bad-key", HttpStatusCode.Unauthorized)]
    [InlineData("images/img_missing", "good-key", HttpStatusCode.NotFound)]
    public async Task Coals_puts_rate_limit_headers_on_every_response(string path, string key, HttpStatusCode expected)
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox, key);

        using var response = await coals.GetAsync(path, Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("60", response.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.True(int.Parse(response.Headers.GetValues("X-RateLimit-Remaining").Single()) < 60);
        Assert.True(long.Parse(response.Headers.GetValues("X-RateLimit-Reset").Single()) > DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Coals_flat_error_on_quota_without_a_key()
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox, null);

        var (response, body) = await coals.GetJsonAsync("quota");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(System.Text.Json.JsonValueKind.String, body.GetProperty("error").ValueKind);
        Assert.Equal("60", response.Headers.GetValues("X-RateLimit-Limit").Single());
    }
}
