using System.Net;
using System.Text;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Tests.Jobs;

namespace ImageHub.Web.Tests.Security;

/// <summary>Issue 13, finding 5: the HTTP surface.</summary>
public sealed class HttpHardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_API_body_over_one_megabyte_is_a_413_problem()
    {
        await using var host = JobsHost.Start();
        var json = $$"""{"prompt":"{{new string('a', 1_200_000)}}","provider":"coals"}""";

        using var response = await host.Api.PostAsync("/api/v1/generations", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 1024 KB", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_post_that_ends_in_a_status_code_is_not_re_executed_as_the_not_found_page()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/no/such/page", new FormUrlEncodedContent(new Dictionary<string, string> { ["a"] = "b" }), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{(int)response.StatusCode}");
        Assert.DoesNotContain("<html", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Behind_a_TLS_proxy_cookies_are_Secure_and_HSTS_is_sent()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["ForwardedHeaders:Enabled"] = "true" });
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Host = "imagehub.example.com";

        using var response = await client.SendAsync(request, Ct);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();

        Assert.NotEmpty(cookies);
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.StartsWith("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task Kestrel_sends_no_Server_header()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        var baseUrl = app.StartOnLoopback();
        using var client = new HttpClient { BaseAddress = baseUrl };

        using var response = await client.GetAsync("/health/live", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Server"), string.Join(", ", response.Headers.Server));
    }
}
