using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using ImageHub.Web.Features.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Oidc;

/// <summary><c>Oidc:DisableLocalLogin=true</c> with a real OpenID Connect provider (oidc-provider on loopback), in Chromium.</summary>
public sealed class OidcOnlyTests(OidcOnlyFixture app) : IClassFixture<OidcOnlyFixture>
{
    [Theory]
    [InlineData("desktop", ColorScheme.Light)]
    [InlineData("desktop", ColorScheme.Dark)]
    [InlineData("phone", ColorScheme.Light)]
    [InlineData("phone", ColorScheme.Dark)]
    public async Task The_login_page_shows_only_the_provider_and_no_password_form_or_registration(string screen, ColorScheme theme)
    {
        var page = await app.OpenAsync(screen == "phone" ? Viewports.Phone : Viewports.Desktop, theme);

        await page.GotoAsync("/Account/Login");

        await Expect(page.Locator("[data-testid=oidc-signin]")).ToHaveTextAsync("Sign in with Test IdP");
        await Expect(page.Locator("#password")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=login-submit]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=register-link]")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, $"oidc-only-login-{screen}-{theme.ToString().ToLowerInvariant()}");
    }

    [Fact]
    public async Task A_password_posted_to_the_login_form_is_refused_even_with_the_right_password()
    {
        var page = await app.OpenAsync();
        await page.GotoAsync("/Account/Login");
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");

        var response = await page.APIRequest.PostAsync("/Account/Login", new()
        {
            Form = page.APIRequest.CreateFormData()
                .Set("__RequestVerificationToken", token!).Set("_handler", "login")
                .Set("Input.Email", AppFixture.AdminEmail).Set("Input.Password", AppFixture.Password),
        });

        Assert.Equal(403, response.Status);
        Assert.Contains("Password sign-in is turned off", await response.TextAsync());
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ImageHub.Auth");
    }

    [Fact]
    public async Task The_registration_page_sends_people_to_the_provider_and_its_post_is_refused()
    {
        var page = await app.OpenAsync();
        await page.GotoAsync("/Account/Register");
        await Expect(page.Locator("[data-testid=status]")).ToContainTextAsync("Accounts here are created by signing in with Test IdP");
        await Expect(page.Locator("[data-testid=register-submit]")).ToHaveCountAsync(0);

        var response = await page.APIRequest.PostAsync("/Account/Register", new()
        {
            Form = page.APIRequest.CreateFormData().Set("_handler", "register").Set("Input.Email", app.NewEmail("sneaky"))
                .Set("Input.Password", AppFixture.Password).Set("Input.ConfirmPassword", AppFixture.Password),
        });

        Assert.Equal(403, response.Status);
    }

    [Fact]
    public async Task The_first_administrator_made_with_a_password_links_the_provider_with_that_password_once_and_then_signs_in_with_the_provider()
    {
        // The administrator the fixture made has a password only; the provider knows the same, verified, email.
        var username = await app.NewProviderUserAsync("root", [], email: AppFixture.AdminEmail);
        var page = await app.OpenAsync();
        var flow = new OidcSignInFlow(page, app.BaseUrl);

        await flow.StartAsync();
        await flow.SubmitAtProviderAsync(username, AppFixture.Password);
        await flow.WaitForLoginPageAsync();
        await Expect(flow.LinkNote).ToContainTextAsync("sign in with your password to link it to Test IdP");
        await new LoginPage(page).LogInAsync(AppFixture.AdminEmail);

        var logins = await app.App.InScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<AppUser>>();
            return await users.GetLoginsAsync((await users.FindByEmailAsync(AppFixture.AdminEmail))!);
        });
        Assert.Equal(username, Assert.Single(logins).ProviderKey);

        var later = await app.OpenAsync();
        await new OidcSignInFlow(later, app.BaseUrl).SignInAsync(username, AppFixture.Password);
        await later.GotoAsync("/admin");
        await Expect(later.Locator("h1, .mud-typography-h4, .mud-typography-h5").First).ToBeVisibleAsync();
        Assert.Contains("/admin", later.Url, StringComparison.Ordinal);
    }
}
