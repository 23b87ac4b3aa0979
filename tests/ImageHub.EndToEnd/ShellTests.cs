using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd;

/// <summary>The shell in Chromium: theme, navigation, the account menu, a phone's screen.</summary>
public sealed class ShellTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task The_dark_theme_chosen_in_the_account_menu_survives_a_reload()
    {
        var page = await app.OpenAsync();
        await app.SignUpAsync(page, app.NewEmail("night"));
        var shell = new Shell(page);
        var lightBackground = await BodyBackgroundAsync(page);

        await shell.ChooseThemeAsync("Dark");
        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync(page);
        var themeAfterReload = await shell.Main.GetAttributeAsync("data-theme");
        var darkBackground = await BodyBackgroundAsync(page);
        await Browser.ScreenshotAsync(page, "dark-theme-after-reload");

        Assert.Equal("dark", themeAfterReload);
        Assert.NotEqual(lightBackground, darkBackground);
    }

    [Fact]
    public async Task A_new_account_follows_the_devices_dark_setting()
    {
        var page = await app.OpenAsync(colorScheme: ColorScheme.Dark);
        await app.SignUpAsync(page, app.NewEmail("system"));

        await Expect(new Shell(page).Main).ToHaveAttributeAsync("data-theme", "dark");
    }

    [Fact]
    public async Task The_sign_in_page_is_dark_on_a_dark_device_and_light_on_a_light_one()
    {
        var dark = await app.OpenAsync(colorScheme: ColorScheme.Dark);
        var light = await app.OpenAsync();
        await new LoginPage(dark).OpenAsync();
        await new LoginPage(light).OpenAsync();

        var darkBackground = await FrameBackgroundLuminanceAsync(dark);
        var lightBackground = await FrameBackgroundLuminanceAsync(light);
        await Browser.ScreenshotAsync(dark, "login-dark-device");

        Assert.True(darkBackground < 0.2, $"the page behind the form is dark (luminance {darkBackground:0.00})");
        Assert.True(lightBackground > 0.8, $"the page behind the form is light (luminance {lightBackground:0.00})");
    }

    private static Task<double> FrameBackgroundLuminanceAsync(IPage page) => page.EvaluateAsync<double>(
        "(() => { const [r, g, b] = getComputedStyle(document.querySelector('.ih-account-frame')).backgroundColor.match(/\\d+/g).map(Number);" +
        " return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; })()");

    [Fact]
    public async Task Pages_render_on_MudBlazor_with_the_drawers_five_items_and_no_console_or_CSP_errors()
    {
        var page = await app.OpenAsync();
        var errors = Browser.CollectErrors(page);
        var login = new LoginPage(page);

        await login.OpenAsync();
        var loginButton = await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('[data-testid=login-submit]')).backgroundColor");
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail("styled"));
        var shell = new Shell(page);
        var appBar = await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('.mud-appbar')).backgroundColor");
        var items = await shell.NavItems.AllInnerTextsAsync();
        foreach (var item in new[] { "Gallery", "Spend", "Keys", "Workspace", "Compose" }) await shell.NavigateAsync(item);
        await Browser.ScreenshotAsync(page, "compose-home");

        Assert.NotEqual("rgba(0, 0, 0, 0)", loginButton);
        Assert.NotEqual("rgba(0, 0, 0, 0)", appBar);
        Assert.Equal(["Compose", "Gallery", "Spend", "Keys", "Workspace"], items.Select(i => i.Trim()));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_instance_administrator_also_finds_Admin_in_the_drawer()
    {
        var page = await app.OpenAsync();
        var login = new LoginPage(page);
        await login.OpenAsync();
        await login.LogInAsync(AppFixture.AdminEmail);

        var items = await new Shell(page).NavItems.AllInnerTextsAsync();

        Assert.Equal(["Compose", "Gallery", "Spend", "Keys", "Workspace", "Admin"], items.Select(i => i.Trim()));
    }

    [Fact]
    public async Task The_account_menu_leads_to_API_tokens_and_the_switcher_to_a_new_workspace()
    {
        var page = await app.OpenAsync();
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail("menu"), "First Studio");
        var shell = new Shell(page);

        await shell.OpenAccountMenuAsync();
        await page.ClickAsync("[data-testid=menu-tokens]");
        await page.WaitForURLAsync("**/settings/tokens");
        await Browser.WaitForCircuitAsync(page);
        await Expect(page.Locator("h1")).ToHaveTextAsync("API tokens");
        await shell.NewWorkspaceAsync();
        await new CreateWorkspacePage(page).CreateAsync("Second Studio");
        await shell.Switcher.ClickAsync();
        await Expect(page.Locator("[data-testid=workspace-option]")).ToHaveCountAsync(2); // the menu renders after the click
        var workspaces = await page.Locator("[data-testid=workspace-option]").AllInnerTextsAsync();

        Assert.Equal(["First Studio", "Second Studio"], workspaces.Select(w => w.Trim()).Order());
        Assert.Equal("Second Studio", (await shell.Switcher.InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task The_shell_fits_a_phone_with_the_drawer_closed_and_the_account_menu_in_reach()
    {
        var page = await app.OpenAsync(Viewports.Phone);
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail("phone"));
        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        var shell = new Shell(page);

        // The layout learns the viewport just after the circuit is up, then closes the drawer on a phone.
        await Assertions.Expect(shell.Drawer).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--open"), new() { Timeout = 15_000 });
        var overflow = await shell.OverflowAsync();
        var drawerOpen = await shell.DrawerIsOpenAsync();
        var menu = await page.Locator("[data-testid=account-menu] button").BoundingBoxAsync();
        await Browser.ScreenshotAsync(page, "phone-width");

        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the phone screen");
        Assert.False(drawerOpen);
        Assert.NotNull(menu);
        Assert.True(menu.X + menu.Width <= 390, "the account menu is on screen");
    }

    private static Task<string> BodyBackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
}
