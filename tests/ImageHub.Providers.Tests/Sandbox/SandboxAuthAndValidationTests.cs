using System.Net;
using System.Text.Json;
using static ImageHub.Providers.Tests.Sandbox.SandboxTestKit;

namespace ImageHub.Providers.Tests.Sandbox;

public sealed class SandboxAuthAndValidationTests
{
    [Theory]
    [InlineData("koala", null)]
    [InlineData("koala", "bad-key")]
    [InlineData("qolaba", null)]
    [InlineData("qolaba", "bad-key")]
    [InlineData("coals", null)]
    [InlineData("coals", "bad-key")]
    [InlineData("kolbo", null)]
    [InlineData("kolbo", "bad-key")]
    public async Task Missing_or_bad_key_is_a_401_in_the_providers_own_error_shape(string provider, string? key)
    {
        await using var sandbox = await StartAsync();
        using var http = Client(sandbox, provider, key);

        var (response, body) = await http.PostJsonAsync(GeneratePath(provider), MinimalRequest(provider));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        switch (provider)
        {
            case "koala":
                Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
                break;
            case "qolaba":
                Assert.Equal("Unauthorized", body.GetProperty("error").GetString());
                Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
                break;
            case "coals":
                Assert.False(body.GetProperty("success").GetBoolean());
                Assert.Equal("UNAUTHORIZED", body.GetProperty("error").GetProperty("code").GetString());
                break;
            case "kolbo":
                Assert.False(body.GetProperty("success").GetBoolean());
                Assert.Equal("INVALID_API_KEY", body.GetProperty("code").GetString());
                break;
        }

        Assert.Equal(0, sandbox.State.Account(provider, key ?? "").AcceptedSubmissions);
    }

    [Fact]
    public async Task Qolaba_accepts_the_key_as_bearer_token_as_well_as_x_api_key()
    {
        await using var sandbox = await StartAsync();
        using var bearer = Plain(sandbox.BaseUrls.Qolaba);
        bearer.DefaultRequestHeaders.Authorization = new("Bearer", "shared-key");
        using var apiKey = QolabaClient(sandbox, "shared-key");

        var viaBearer = await bearer.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4-fast","prompt":"cat"}""");
        var viaHeader = await apiKey.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4-fast","prompt":"cat"}""");

        Assert.Equal(HttpStatusCode.OK, viaBearer.Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaHeader.Response.StatusCode);
        Assert.Equal(2, sandbox.State.Account("qolaba", "shared-key").AcceptedSubmissions);
    }

    [Fact]
    public async Task Koala_premium_without_plan_is_a_clear_403_message()
    {
        await using var sandbox = await StartAsync();
        using var koala = KoalaClient(sandbox, "team-noplan-key");

        var (response, body) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat","model":"premium"}""");
        var standard = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat","model":"standard"}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Professional plan", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, standard.Response.StatusCode);
        Assert.Equal(1, sandbox.State.Account("koala", "team-noplan-key").CreditsCharged);
    }

    [Fact]
    public async Task Coals_key_without_the_generate_scope_gets_403_and_can_still_read_its_quota()
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox, "readonly-noscope");

        var (response, body) = await coals.PostJsonAsync("generate", """{"prompt":"fox"}""");
        var quota = await coals.GetJsonAsync("quota");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("graphicoal:generate", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, quota.Response.StatusCode);
    }

    [Fact]
    public async Task Koala_names_every_wrong_field_in_its_400()
    {
        await using var sandbox = await StartAsync();
        using var koala = KoalaClient(sandbox);

        var (response, body) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat","style":"oil","size":"1000x1000","numImages":5,"model":"ultra"}""");
        var message = body.GetProperty("error").GetString()!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("style 'oil'", message);
        Assert.Contains("size '1000x1000'", message);
        Assert.Contains("numImages must be between 1 and 4", message);
        Assert.Contains("model 'ultra'", message);
    }

    [Fact]
    public async Task Koala_gpt_image_2_refuses_an_unknown_quality()
    {
        await using var sandbox = await StartAsync();
        using var koala = KoalaClient(sandbox);

        var (response, body) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat","model":"gpt-image-2","quality":"ultra"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("quality 'ultra'", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Qolaba_400_lists_each_out_of_range_field_in_details()
    {
        await using var sandbox = await StartAsync();
        using var qolaba = QolabaClient(sandbox);
        var longNegative = new string('n', 2001);

        var (response, body) = await qolaba.PostJsonAsync("api/v1/images/generate", $$"""
            {"model":"vertex/imagen-4","prompt":"cat","num_images":11,"num_inference_steps":0,"guidance_scale":31,
             "temperature":2.5,"negative_prompt":"{{longNegative}}","aspect_ratio":"21:9","quality":"4K",
             "reference_images":[{"url":"https://example.com/a.png"}]}
            """);
        var details = body.GetProperty("details");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bad Request", body.GetProperty("error").GetString());
        foreach (var field in new[] { "num_images", "num_inference_steps", "guidance_scale", "temperature", "negative_prompt", "aspect_ratio", "quality", "reference_images" })
        {
            Assert.True(details.TryGetProperty(field, out _), $"details should name {field}: {details}");
        }
    }

    [Theory]
    [InlineData("""{"prompt":"cat"}""", "model")]
    [InlineData("""{"model":"vertex/imagen-9","prompt":"cat"}""", "model")]
    [InlineData("""{"model":"vertex/imagen-4"}""", "prompt")]
    [InlineData("""{"model":"vertex/nano-banana-pro","prompt":"cat","num_images":5}""", "num_images")]
    [InlineData("""{"model":"vertex/nano-banana-pro","prompt":"cat","seed":"abc"}""", "seed")]
    public async Task Qolaba_refuses_a_request_without_a_known_model_or_prompt(string json, string field)
    {
        await using var sandbox = await StartAsync();
        using var qolaba = QolabaClient(sandbox);

        var (response, body) = await qolaba.PostJsonAsync("api/v1/images/generate", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(body.GetProperty("details").TryGetProperty(field, out _), body.ToString());
        Assert.Equal(0, sandbox.State.Account("qolaba", "qolaba-key").AcceptedSubmissions);
    }

    [Fact]
    public async Task Qolaba_prompt_over_4000_characters_is_refused()
    {
        await using var sandbox = await StartAsync();
        using var qolaba = QolabaClient(sandbox);

        var (response, body) = await qolaba.PostJsonAsync("api/v1/images/generate", $$"""{"model":"vertex/imagen-4","prompt":"{{new string('p', 4001)}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 4000", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Coals_validation_error_is_a_422_with_messages_per_field()
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox);

        var (response, body) = await coals.PostJsonAsync("generate", $$"""{"prompt":"{{new string('p', 2001)}}","width":255,"height":4096,"num_images":5}""");
        var error = body.GetProperty("error");
        var details = error.GetProperty("details");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("VALIDATION_ERROR", error.GetProperty("code").GetString());
        Assert.Equal(["height", "num_images", "prompt", "width"], details.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Array, details.GetProperty("width").ValueKind);
    }

    [Theory]
    [InlineData("""{"model":"nano-banana-2"}""", "MISSING_FIELDS")]
    [InlineData("""{"prompt":"cat","model":"dall-e-9"}""", "MODEL_NOT_FOUND")]
    [InlineData("""{"prompt":"cat","model":"kling-2.5-turbo"}""", "MODEL_NOT_FOUND")]
    [InlineData("""{"prompt":"cat","visual_dna_ids":["vdna_mila","vdna_rex","vdna_mug","vdna_sneaker"]}""", "INVALID_REQUEST")]
    [InlineData("""{"prompt":"cat","model":"ideogram-v3","reference_images":["https://example.com/a.png"]}""", "INVALID_REQUEST")]
    [InlineData("""{"prompt":"cat","moodboard_id":"nope"}""", "INVALID_REQUEST")]
    public async Task Kolbo_refuses_bad_generation_requests_with_its_own_codes(string json, string code)
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox);

        var (response, body) = await kolbo.PostJsonAsync("v1/generate/image", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
        Assert.Equal(0, sandbox.State.Account("kolbo", "kolbo_test_key").CreditsCharged);
    }

    [Theory]
    [InlineData("koala", "{not json")]
    [InlineData("qolaba", "[1,2,3]")]
    [InlineData("coals", "")]
    [InlineData("kolbo", "\"just a string\"")]
    public async Task A_body_that_is_not_a_json_object_is_a_400_in_the_providers_shape_not_a_500(string provider, string body)
    {
        await using var sandbox = await StartAsync();
        using var http = Client(sandbox, provider, "good-key");

        using var response = await http.PostAsync(GeneratePath(provider), Json(body), Ct);
        var json = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(json.TryGetProperty("error", out _), json.ToString());
    }

    [Fact]
    public async Task Every_request_is_recorded_with_its_auth_header_and_body()
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox, "kolbo_live_recorded");

        await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"recorded"}""");
        var recorded = Assert.Single(sandbox.State.Requests);

        Assert.Equal(("kolbo", "POST", "/kolbo/api/v1/generate/image"), (recorded.Provider, recorded.Method, recorded.PathAndQuery));
        Assert.Equal("kolbo_live_recorded", recorded.Headers["x-api-key"]);
        Assert.Equal("""{"prompt":"recorded"}""", recorded.Body);
    }

    [Fact]
    public async Task The_request_log_keeps_only_the_latest_requests()
    {
        await using var sandbox = await StartAsync(o => o.MaxRecordedRequests = 3);
        using var kolbo = KolboClient(sandbox);

        for (var i = 0; i < 5; i++)
        {
            await kolbo.GetJsonAsync($"v1/models?type=image&n={i}");
        }

        Assert.Equal(["n=2", "n=3", "n=4"], sandbox.State.Requests.Select(r => r.PathAndQuery[^3..]));
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_in_the_providers_shape()
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox);

        var (response, body) = await coals.PostJsonAsync("generate", $$"""{"prompt":"{{new string('p', 5 * 1024 * 1024)}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("PAYLOAD_TOO_LARGE", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, sandbox.State.Account("coals", "coals-key").AcceptedSubmissions);
    }

    [Fact]
    public async Task Control_lists_the_recorded_requests_of_one_provider_with_keys_masked_and_clears_them()
    {
        await using var sandbox = await StartAsync();
        using var control = Plain(sandbox.RootUri);
        using var koala = KoalaClient(sandbox);
        using var kolbo = KolboClient(sandbox);
        await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat"}""");
        await kolbo.GetJsonAsync("v1/moodboards");

        var (_, koalaRequests) = await control.GetJsonAsync("_control/requests?provider=koala");
        using var cleared = await control.DeleteAsync("_control/requests", Ct);

        var only = Assert.Single(koalaRequests.EnumerateArray());
        Assert.Equal("Bearer ****-key", only.GetProperty("headers").GetProperty("Authorization").GetString());
        Assert.DoesNotContain("koala-key", koalaRequests.ToString());
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Empty(sandbox.State.Requests);
    }

    [Fact]
    public async Task Koala_urls_carry_a_literal_ampersand_as_the_provider_sends_them()
    {
        await using var sandbox = await StartAsync();
        using var koala = KoalaClient(sandbox);

        using var response = await koala.PostAsync("api/image-generation/", Json("""{"prompt":"cat","size":"768x1344"}"""), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Contains("?width=768&height=1344\"", text);
    }

    internal static HttpClient Client(ImageHub.Sandbox.SandboxServer sandbox, string provider, string? key) => provider switch
    {
        "koala" => KoalaClient(sandbox, key),
        "qolaba" => QolabaClient(sandbox, key),
        "coals" => CoalsClient(sandbox, key),
        _ => KolboClient(sandbox, key),
    };

    internal static string GeneratePath(string provider) => provider switch
    {
        "koala" => "api/image-generation/",
        "qolaba" => "api/v1/images/generate",
        "coals" => "generate",
        _ => "v1/generate/image",
    };

    internal static string MinimalRequest(string provider) => provider switch
    {
        "qolaba" => """{"model":"vertex/imagen-4-fast","prompt":"cat"}""",
        _ => """{"prompt":"cat"}""",
    };
}
