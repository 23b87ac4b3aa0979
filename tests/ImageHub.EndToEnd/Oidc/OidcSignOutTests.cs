using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Oidc;

/// <summary>
/// Log out of a session that came through the real OpenID Connect provider (oidc-provider on loopback) signs out at the
/// provider too, so on a shared machine the next "Sign in with …" asks for the provider's password again.
/// </summary>
public sealed class OidcSignOutTests(OidcFixture app) : IClassFixture<OidcFixture>
{
    [Fact]
    public async Task Log_out_signs_out_at_the_provider_and_the_next_sign_in_with_it_shows_its_login_form_again()
    {
        var username = await app.NewProviderUserAsync("shared", ["designers"]);
        var page = await app.OpenAsync();
        var flow = new OidcSignInFlow(page, app.BaseUrl);
        await flow.SignInAsync(username, AppFixture.Password);
        // The session's cookie is renewed by the security stamp check in between: the sign-out still knows the provider.
        app.App.Clock.Advance(TimeSpan.FromMinutes(2));
        await page.GotoAsync("/keys");
        await Browser.WaitForCircuitAsync(page);

        await new Shell(page).OpenAccountMenuAsync();
        await page.ClickAsync("[data-testid=logout]");
        await page.WaitForURLAsync(url => url.StartsWith(Issuer, StringComparison.Ordinal) || url.Contains("/Account/Login", StringComparison.Ordinal));
        Assert.True(page.Url.StartsWith(Issuer, StringComparison.Ordinal), $"log out should go on to the provider's sign-out, but the browser is at {page.Url}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, sign me out" }).ClickAsync();
        await flow.WaitForLoginPageAsync();
        var landedOn = new Uri(page.Url);

        // The next person at this browser presses "Sign in with Test IdP".
        await flow.Button.ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(Issuer, StringComparison.Ordinal)
            || (url.StartsWith(app.BaseUrl.ToString(), StringComparison.Ordinal) && !url.Contains("/Account/", StringComparison.Ordinal)));
        await Browser.ScreenshotAsync(page, "oidc-after-sign-out");

        Assert.Equal("/Account/Login", landedOn.AbsolutePath);
        Assert.True(page.Url.StartsWith(Issuer, StringComparison.Ordinal),
            $"the sign-in should stop at the provider's login form, but the browser went straight into ImageHub: {page.Url}");
        await Expect(page.Locator("#username")).ToBeVisibleAsync();
        await Expect(page.Locator("#password")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_password_session_logs_out_here_only_straight_to_the_login_page()
    {
        var page = await app.OpenAsync();
        await app.SignUpAsync(page, app.NewEmail("local"));
        await Browser.WaitForCircuitAsync(page);
        var visitedProvider = false;
        page.Request += (_, request) => visitedProvider |= request.Url.StartsWith(Issuer, StringComparison.Ordinal);

        await new Shell(page).LogOutAsync();
        await page.GotoAsync("/keys");

        Assert.False(visitedProvider, "a password session's log-out does not go to the provider");
        Assert.Equal("/Account/Login", new Uri(page.Url).AbsolutePath);
    }

    /// <summary>The provider's address with its trailing slash (so another loopback port is not a match).</summary>
    private string Issuer => app.Provider.Issuer.ToString();
}

/// <summary>A provider without an end_session_endpoint: log out ends the ImageHub session and lands on the login page.</summary>
public sealed class OidcSignOutWithoutEndSessionTests(OidcWithoutEndSessionFixture app) : IClassFixture<OidcWithoutEndSessionFixture>
{
    [Fact]
    public async Task Without_an_end_session_endpoint_log_out_ends_the_session_here_and_lands_on_the_login_page()
    {
        var username = await app.NewProviderUserAsync("nosso", ["designers"]);
        var page = await app.OpenAsync();
        await new OidcSignInFlow(page, app.BaseUrl).SignInAsync(username, AppFixture.Password);

        await new Shell(page).LogOutAsync();
        var landedOn = new Uri(page.Url);
        await page.GotoAsync("/keys");

        Assert.Equal(app.BaseUrl.Authority, landedOn.Authority);
        Assert.Equal("/Account/Login", landedOn.AbsolutePath);
        Assert.Equal("/Account/Login", new Uri(page.Url).AbsolutePath);
    }
}
