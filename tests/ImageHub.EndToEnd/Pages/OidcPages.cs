using ImageHub.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Pages;

/// <summary>"Sign in with …" on /Account/Login and the test provider's own login form (tests/oidc-provider).</summary>
public sealed class OidcSignInFlow(IPage page, Uri app)
{
    public ILocator Button => page.Locator("[data-testid=oidc-signin]");
    public ILocator Status => page.Locator("[data-testid=status]");
    public ILocator LinkNote => page.Locator("[data-testid=link-note]");

    /// <summary>Opens the login page, presses the provider's button and waits for the provider's form.</summary>
    public async Task StartAsync(string loginPath = "/Account/Login")
    {
        await page.GotoAsync(loginPath);
        await Button.ClickAsync();
        try
        {
            await page.Locator("#username").WaitForAsync();
        }
        catch (TimeoutException)
        {
            await Browser.ScreenshotAsync(page, "oidc-start-timeout");
            var text = await page.Locator("body").InnerTextAsync();
            throw new TimeoutException($"The provider's login form did not open; the browser is at {page.Url}: {text[..Math.Min(text.Length, 500)]}");
        }
    }

    /// <summary>Fills the provider's form and sends it (the provider then posts its answer back to /signin-oidc).</summary>
    public async Task SubmitAtProviderAsync(string username, string password)
    {
        await page.FillAsync("#username", username);
        await page.FillAsync("#password", password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>The whole way in: button, provider, back in the app with a live page.</summary>
    public async Task SignInAsync(string username, string password)
    {
        await StartAsync();
        await SubmitAtProviderAsync(username, password);
        await page.WaitForURLAsync(url => url.StartsWith(app.ToString(), StringComparison.Ordinal)
            && !url.Contains("/Account/", StringComparison.Ordinal) && !url.Contains("/signin-oidc", StringComparison.Ordinal));
        await Browser.WaitForCircuitAsync(page);
    }

    /// <summary>Waits until the app's login page shows a message after coming back from the provider.</summary>
    public async Task WaitForLoginPageAsync() =>
        await page.WaitForURLAsync(url => url.StartsWith(app.ToString(), StringComparison.Ordinal) && url.Contains("/Account/Login", StringComparison.Ordinal));
}
