using ImageHub.Providers.Kolbo;

namespace ImageHub.Providers.Tests.Unit;

public sealed class KolboPollUrlTests
{
    [Theory]
    [InlineData("https://api.kolbo.ai/api/", "/v1/generate/abc/status", "https://api.kolbo.ai/api/v1/generate/abc/status")]
    [InlineData("https://api.kolbo.ai/api/", "/api/v1/generate/abc/status", "https://api.kolbo.ai/api/v1/generate/abc/status")]
    [InlineData("https://api.kolbo.ai/api", "/v1/generate/abc/status", "https://api.kolbo.ai/api/v1/generate/abc/status")]
    [InlineData("http://127.0.0.1:5080/sandbox/kolbo/api/", "/v1/generate/abc/status", "http://127.0.0.1:5080/sandbox/kolbo/api/v1/generate/abc/status")]
    [InlineData("http://127.0.0.1:5080/sandbox/kolbo/api/", "/sandbox/kolbo/api/v1/generate/abc/status", "http://127.0.0.1:5080/sandbox/kolbo/api/v1/generate/abc/status")]
    [InlineData("http://127.0.0.1:5080/sandbox/kolbo/api/", "/api/v1/generate/abc/status", "http://127.0.0.1:5080/sandbox/kolbo/api/v1/generate/abc/status")]
    [InlineData("https://api.kolbo.ai/api/", "v1/generate/abc/status", "https://api.kolbo.ai/api/v1/generate/abc/status")]
    [InlineData("https://api.kolbo.ai/api/", "https://api.kolbo.ai/api/v1/generate/abc/status", "https://api.kolbo.ai/api/v1/generate/abc/status")]
    public void Both_documented_poll_url_forms_resolve_to_the_status_endpoint(string baseUrl, string pollUrl, string expected) =>
        Assert.Equal(expected, KolboPollUrl.Resolve(new Uri(baseUrl), pollUrl, "abc").AbsoluteUri);

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("http://api.kolbo.ai/api/v1/generate/abc/status")]
    [InlineData("")]
    [InlineData(null)]
    public void A_poll_url_on_another_origin_or_missing_falls_back_so_the_key_never_leaves_kolbo(string? pollUrl) =>
        Assert.Equal("https://api.kolbo.ai/api/v1/generate/abc/status", KolboPollUrl.Resolve(new Uri("https://api.kolbo.ai/api/"), pollUrl, "abc").AbsoluteUri);
}
