using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Admin;

/// <summary>The instance admin console in Chromium: disabling an account reaches that person's open page at once.</summary>
public sealed class AdminConsoleTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Disabling_an_account_in_the_console_sends_its_open_page_to_the_login_form_and_the_login_is_refused()
    {
        var member = await app.OpenAsync();
        var memberEmail = app.NewEmail("leaver");
        await app.SignUpWithWorkspaceAsync(member, memberEmail, "Leaver's studio");
        await member.GotoAsync("/keys");
        await Browser.WaitForCircuitAsync(member);

        var admin = await app.OpenAsync();
        var adminErrors = Browser.CollectErrors(admin);
        await new LoginPage(admin).OpenAsync();
        await new LoginPage(admin).LogInAsync(AppFixture.AdminEmail);
        var console = new AdminConsolePage(admin);
        await console.OpenAsync();
        await console.SearchAsync("leaver");
        await admin.Locator("[data-testid=users-total]", new() { HasTextString = "(1)" }).WaitForAsync();
        await console.DisableAsync(memberEmail);
        await Browser.ScreenshotAsync(admin, "admin-console-disabled");

        await member.WaitForURLAsync(url => url.Contains("/Account/Login", StringComparison.Ordinal));
        await member.FillAsync("#email", memberEmail);
        await member.FillAsync("#password", AppFixture.Password);
        await member.ClickAsync("[data-testid=login-submit]");
        var refusal = await member.Locator("text=This account is disabled").InnerTextAsync();

        Assert.Equal([memberEmail], await console.Emails.AllInnerTextsAsync());
        Assert.Contains("Disabled account", await console.AuditActions.AllInnerTextsAsync());
        Assert.Contains("Ask an administrator", refusal);
        Assert.Empty(adminErrors);
    }

    [Theory]
    [InlineData("desktop", ColorScheme.Light)]
    [InlineData("desktop", ColorScheme.Dark)]
    [InlineData("phone", ColorScheme.Light)]
    [InlineData("phone", ColorScheme.Dark)]
    public async Task The_console_renders_at_desktop_and_phone_width_in_both_themes(string screen, ColorScheme theme)
    {
        var page = await app.OpenAsync(screen == "phone" ? Viewports.Phone : Viewports.Desktop, theme);
        var errors = Browser.CollectErrors(page);
        await new LoginPage(page).OpenAsync();
        await new LoginPage(page).LogInAsync(AppFixture.AdminEmail);
        var console = new AdminConsolePage(page);
        await console.OpenAsync();
        await Browser.ScreenshotAsync(page, $"admin-console-{screen}-{theme.ToString().ToLowerInvariant()}");

        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");
        Assert.Contains(AppFixture.AdminEmail, await console.Emails.AllInnerTextsAsync());
        Assert.False(overflow, "the page scrolls sideways");
        Assert.Empty(errors);
    }
}
