using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using Microsoft.Playwright;
using OtpNet;

namespace ImageHub.EndToEnd.Admin;

/// <summary>Two-factor sign-in in Chromium: enrolment from the page's key, then a sign-in with a code.</summary>
public sealed class TwoFactorTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Theory]
    [InlineData("desktop", ColorScheme.Light)]
    [InlineData("phone", ColorScheme.Dark)]
    public async Task A_person_enrols_by_the_key_on_the_page_and_signs_in_again_with_a_code(string screen, ColorScheme theme)
    {
        var viewport = screen == "phone" ? Viewports.Phone : Viewports.Desktop;
        var page = await app.OpenAsync(viewport, theme);
        var errors = Browser.CollectErrors(page);
        var email = app.NewEmail("careful");
        await app.SignUpWithWorkspaceAsync(page, email);

        await page.GotoAsync("/Account/Manage/TwoFactor");
        await page.Locator("[data-testid=authenticator-qr] svg").WaitForAsync();
        await Browser.ScreenshotAsync(page, $"two-factor-enrol-{screen}-{theme.ToString().ToLowerInvariant()}");
        var key = (await page.Locator("[data-testid=authenticator-key]").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        var totp = new Totp(Base32Encoding.ToBytes(key));
        await page.FillAsync("[data-testid=enrol-code]", totp.ComputeTotp(app.App.Clock.GetUtcNow().UtcDateTime)); // the app's test clock
        await page.ClickAsync("[data-testid=enrol-submit]");
        var codes = await page.Locator("[data-testid=recovery-codes] li").AllInnerTextsAsync();
        await Browser.ScreenshotAsync(page, $"two-factor-codes-{screen}-{theme.ToString().ToLowerInvariant()}");

        app.App.Clock.Advance(TimeSpan.FromSeconds(30)); // each code works once: sign in with the phone's next one
        var later = await app.OpenAsync(viewport, theme);
        await new LoginPage(later).OpenAsync();
        await later.FillAsync("#email", email);
        await later.FillAsync("#password", AppFixture.Password);
        await later.ClickAsync("[data-testid=login-submit]");
        await later.Locator("[data-testid=two-factor-code]").WaitForAsync();
        await Browser.ScreenshotAsync(later, $"two-factor-login-{screen}-{theme.ToString().ToLowerInvariant()}");
        await later.FillAsync("[data-testid=two-factor-code]", totp.ComputeTotp(app.App.Clock.GetUtcNow().UtcDateTime));
        await later.ClickAsync("[data-testid=two-factor-submit]");
        await later.WaitForURLAsync(url => !url.Contains("/Account/", StringComparison.Ordinal));
        await Browser.WaitForCircuitAsync(later);

        Assert.Equal(10, codes.Count);
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");
        Assert.False(overflow, "the page scrolls sideways");
        Assert.Empty(errors);
    }
}
