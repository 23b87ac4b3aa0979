using System.Net;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests;

public sealed class PlatformTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Health_endpoints_answer_live_and_ready_when_the_database_answers(DatabaseKind kind)
    {
        await using var app = ImageHubApp.Create(kind);
        using var client = app.CreateClient();

        var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Readiness_fails_when_the_database_cannot_be_reached()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var client = app.CreateClient();
        // The database file disappears under the running app, and its path is no longer a database.
        File.Delete(Path.Combine(app.StorageRoot, "imagehub.db"));
        Directory.CreateDirectory(Path.Combine(app.StorageRoot, "imagehub.db"));
        SqlitePool.Clear(app.StorageRoot);

        var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task A_failure_inside_the_app_shows_a_plain_error_page_without_a_stack_trace()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();
        await browser.GetAsync("/health/ready");
        // The database vanishes under the running app: the register page's first query fails.
        File.Delete(Path.Combine(app.StorageRoot, "imagehub.db"));
        Directory.CreateDirectory(Path.Combine(app.StorageRoot, "imagehub.db"));
        SqlitePool.Clear(app.StorageRoot);

        var page = await browser.GetAsync("/Account/Register");

        Assert.Equal(HttpStatusCode.InternalServerError, page.Status);
        Assert.Contains("Something went wrong", page.Text);
        Assert.Contains("give your administrator this reference", page.Text);
        Assert.DoesNotContain("Exception", page.Html);
        Assert.DoesNotContain(" at ImageHub", page.Html);
    }

    [Fact]
    public async Task Behind_a_proxy_with_forwarded_headers_enabled_the_login_cookie_is_secure()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["ForwardedHeaders:Enabled"] = "true" });
        using var browser = app.CreateBrowser();
        await browser.RegisterAsync("proxied@example.com", Password);
        var login = await browser.GetAsync("/Account/Login");
        var token = System.Text.RegularExpressions.Regex.Match(login.Html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = "proxied@example.com", ["Input.Password"] = Password, ["_handler"] = "login",
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            }),
        };
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        var response = await browser.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var authCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ImageHub.Auth=", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("secure", authCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Pages_carry_the_security_headers()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var client = app.CreateClient();

        var response = await client.GetAsync("/Account/Login", TestContext.Current.CancellationToken);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();

        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("connect-src 'self' ws: wss:", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task A_login_is_honoured_by_a_second_instance_because_the_key_ring_lives_in_the_database()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();
        await browser.RegisterAsync("stays@example.com", Password);
        var authCookie = await GetAuthCookieAsync(browser);
        var keys = await app.InScopeAsync(sp => sp.GetRequiredService<AppDbContext>().DataProtectionKeys.CountAsync());

        await using var restarted = app.Restart();
        using var client = restarted.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("Cookie", authCookie);
        var home = await client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.True(keys >= 1);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("stays@example.com", await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<string> GetAuthCookieAsync(BrowserClient browser)
    {
        // The test server's cookie container is internal to the handler; log in again on a raw client to read Set-Cookie.
        var page = await browser.GetAsync("/Account/Login");
        var token = System.Text.RegularExpressions.Regex.Match(page.Html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await browser.Http.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "stays@example.com", ["Input.Password"] = Password, ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ImageHub.Auth=", StringComparison.Ordinal));
        return setCookie.Split(';')[0];
    }
}
