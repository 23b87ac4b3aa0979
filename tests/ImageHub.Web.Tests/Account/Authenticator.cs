using System.Net;
using System.Text.RegularExpressions;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using OtpNet;

namespace ImageHub.Web.Tests.Account;

/// <summary>
/// An authenticator app in the tests: codes computed with Otp.NET from the key the enrolment page shows, at the app's
/// (test) clock, as the phone would at that moment.
/// </summary>
public static partial class Authenticator
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    /// <summary>The 6-digit code the app shows for <paramref name="key"/> at <paramref name="at"/>.</summary>
    public static string CodeAt(string key, DateTimeOffset at) =>
        new Totp(Base32Encoding.ToBytes(key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant())).ComputeTotp(at.UtcDateTime);

    /// <summary>The code shown now on <paramref name="clock"/>.</summary>
    public static string CodeNow(string key, TimeProvider clock) => CodeAt(key, clock.GetUtcNow());

    /// <summary>Enrols the signed-in <paramref name="browser"/> with the code of this moment: the key, the ten recovery codes, the page.</summary>
    public static async Task<(string Key, string[] RecoveryCodes, Page Page)> EnrolAsync(BrowserClient browser, TimeProvider clock)
    {
        var form = await browser.GetAsync(TwoFactorPolicy.EnrolPath);
        var key = WebUtility.HtmlDecode(KeyOnPage().Match(form.Html).Groups[1].Value);
        Assert.False(string.IsNullOrEmpty(key), "the page shows the key to type in");
        Assert.Contains("<svg", form.Html);
        var done = await browser.SubmitFormAsync(TwoFactorPolicy.EnrolPath, "enable-2fa", new Dictionary<string, string> { ["Input.Code"] = CodeNow(key, clock) });
        var codes = RecoveryCode().Matches(done.Html).Select(m => m.Groups[1].Value).ToArray();
        Assert.True(codes.Length == 10, $"enrolment shows ten recovery codes; the page said: {done.Text}");
        return (key, codes, done);
    }

    /// <summary>Password, then <paramref name="code"/> on the two-factor form, in a fresh browser; returns the page it lands on.</summary>
    public static async Task<Page> SignInAsync(ImageHubApp app, string email, string password, string code)
    {
        using var browser = app.CreateBrowser();
        var asked = await browser.LoginAsync(email, password);
        Assert.Equal("/Account/LoginWith2fa", asked.Path);
        return await browser.SubmitFormAsync(asked.Url.PathAndQuery, "login-2fa", new Dictionary<string, string> { ["Input.Code"] = code });
    }

    [GeneratedRegex("data-testid=\"authenticator-key\">([^<]+)<")]
    private static partial Regex KeyOnPage();

    [GeneratedRegex("<li><code>([^<]+)</code></li>")]
    private static partial Regex RecoveryCode();
}
