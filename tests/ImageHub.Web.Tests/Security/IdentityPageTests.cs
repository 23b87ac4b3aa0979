using System.Net;
using System.Text.RegularExpressions;
using ImageHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Security;

/// <summary>Issue 13, finding 4: the Identity pages under hostile input.</summary>
public sealed partial class IdentityPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>ReturnUrl values that point off the site, as typed into the query string (escaped once more on the way).</summary>
    public static TheoryData<string> HostileReturnUrls => new()
    {
        "//evil.com",
        "//evil.com/path",
        "https://evil.com",
        "http://evil.com/Account/Login",
        "/\\evil.com",
        "\\\\evil.com",
        "\\/evil.com",
        "javascript:alert(1)",
        "https:evil.com",
        " //evil.com",
        "/\t/evil.com",
        "%2F%2Fevil.com",
        "/%5Cevil.com",
        "%2F%5Cevil.com",
        "evil.com",
    };

    [Theory]
    [MemberData(nameof(HostileReturnUrls))]
    public async Task A_login_with_a_hostile_ReturnUrl_signs_in_and_goes_home(string returnUrl)
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using (var setup = app.CreateBrowser()) await setup.RegisterAsync("lena@example.com", Password);
        using var client = NoRedirects(app);

        var response = await PostFormAsync(client, $"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}", "login",
            new() { ["Input.Email"] = "lena@example.com", ["Input.Password"] = Password });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("http://localhost/", Target(client, response));
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ImageHub.Auth=", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(HostileReturnUrls))]
    public async Task A_registration_with_a_hostile_ReturnUrl_creates_the_account_and_goes_home(string returnUrl)
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var client = NoRedirects(app);

        var response = await PostFormAsync(client, $"/Account/Register?ReturnUrl={Uri.EscapeDataString(returnUrl)}", "register",
            new() { ["Input.Email"] = "first@example.com", ["Input.Password"] = Password, ["Input.ConfirmPassword"] = Password });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("http://localhost/", Target(client, response));
    }

    [Fact]
    public async Task A_local_ReturnUrl_is_still_honoured_after_login()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using (var setup = app.CreateBrowser()) await setup.RegisterAsync("lena@example.com", Password);
        using var client = NoRedirects(app);

        var response = await PostFormAsync(client, "/Account/Login?ReturnUrl=%2Fgallery%3Fstarred%3Dtrue", "login",
            new() { ["Input.Email"] = "lena@example.com", ["Input.Password"] = Password });

        Assert.Equal("http://localhost/gallery?starred=true", Target(client, response));
    }

    [Fact]
    public async Task Unknown_emails_get_the_same_lockout_message_after_the_same_number_of_attempts_as_accounts()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using (var setup = app.CreateBrowser()) await setup.RegisterAsync("real@example.com", Password);
        using var browser = app.CreateBrowser();

        var real = new List<string>();
        var unknown = new List<string>();
        for (var attempt = 0; attempt < 6; attempt++)
        {
            real.Add(Message((await browser.LoginAsync("real@example.com", "Wrong password 123")).Text));
            unknown.Add(Message((await browser.LoginAsync("nobody@example.com", "Wrong password 123")).Text));
        }

        Assert.Equal(real, unknown);
        Assert.Contains("locked", real[^1]);
    }

    [Fact]
    public async Task A_locked_account_and_a_locked_unknown_email_unlock_after_15_minutes_on_the_apps_clock()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using (var setup = app.CreateBrowser()) await setup.RegisterAsync("real@example.com", Password);
        using var browser = app.CreateBrowser();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await browser.LoginAsync("real@example.com", "Wrong password 123");
            await browser.LoginAsync("nobody@example.com", "Wrong password 123");
        }

        var lockedReal = Message((await browser.LoginAsync("real@example.com", Password)).Text);
        var lockedUnknown = Message((await browser.LoginAsync("nobody@example.com", "Wrong password 123")).Text);
        app.Clock.Advance(TimeSpan.FromMinutes(14));
        var stillLocked = Message((await browser.LoginAsync("real@example.com", Password)).Text);
        app.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var unlocked = await browser.LoginAsync("real@example.com", Password);
        var unknownAgain = Message((await browser.LoginAsync("nobody@example.com", "Wrong password 123")).Text);

        Assert.Contains("locked", lockedReal); // the right password does not open a locked account
        Assert.Equal(lockedReal, lockedUnknown);
        Assert.Contains("locked", stillLocked);
        Assert.Equal("/", unlocked.Path);
        Assert.Contains("Wrong email or password", unknownAgain);
    }

    [Fact]
    public async Task Login_posts_over_the_limit_from_one_client_get_429_with_Retry_After()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["RateLimits:Identity:PermitLimit"] = "3" });
        using var client = NoRedirects(app);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            last = await PostFormAsync(client, "/Account/Login", "login", new() { ["Input.Email"] = "x@example.com", ["Input.Password"] = "Wrong password 123" });
            statuses.Add(last.StatusCode);
        }
        var page = await client.GetAsync("/Account/Login", Ct); // reading the page is not limited

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {last.Headers.RetryAfter}");
        Assert.Contains("Try again in", await last.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Theory]
    [InlineData("Short pass1", "at least 12 characters")]
    [InlineData("sam.taylor@example.com", "does not contain your email")]
    [InlineData("my-sam.taylor-2026", "\"sam.taylor\"")]
    [InlineData("qwerty123456", "most common passwords")]
    [InlineData("1Q2W3E4R5T6Y", "most common passwords")]
    public async Task Registration_refuses_weak_passwords_with_a_message_saying_why(string password, string message)
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();

        var page = await browser.RegisterAsync("sam.taylor@example.com", password);

        Assert.Equal("/Account/Register", page.Path);
        Assert.Contains(message, page.Text);
    }

    [Fact]
    public async Task A_logout_post_without_a_valid_antiforgery_token_is_a_400_page_and_leaves_the_session()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();
        await browser.RegisterAsync("lena@example.com", Password);

        var forged = await browser.Http.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }), Ct);
        var wrongToken = await browser.Http.PostAsync("/Account/Logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = "CfDJ8forged" }), Ct);
        var home = await browser.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("text/html", forged.Content.Headers.ContentType?.MediaType);
        Assert.Contains("log-out form has expired", await forged.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.BadRequest, wrongToken.StatusCode);
        Assert.Equal("/", home.Path); // still signed in
    }

    /// <summary>Where the redirect leads, resolved as a browser would (scheme, host and path).</summary>
    private static string Target(HttpClient client, HttpResponseMessage response) =>
        new Uri(client.BaseAddress!, response.Headers.Location!).AbsoluteUri;

    private static HttpClient NoRedirects(ImageHubApp app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, string form, Dictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(url, Ct);
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(Token().Match(html).Groups[1].Value);
        fields["_handler"] = form;
        return await client.PostAsync(url, new FormUrlEncodedContent(fields), Ct);
    }

    private static string Message(string text)
    {
        var match = Regex.Match(text, "(Wrong email or password[^.]*\\.|This account is locked[^.]*\\.)");
        return match.Success ? match.Value : text;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
