using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd;

/// <summary>
/// axe-core on every page, at a laptop's and a phone's width, in light and dark: no serious or critical violation.
/// Each page is also saved as a screenshot (TestResults/screenshots/a11y-*), the pictures the UI is judged by.
/// </summary>
public sealed class AccessibilityTests(AppFixture app) : IClassFixture<AppFixture>
{
    public static TheoryData<string, string> Screens => new()
    {
        { "desktop", "light" },
        { "desktop", "dark" },
        { "phone", "light" },
        { "phone", "dark" },
    };

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task No_page_has_a_serious_or_critical_accessibility_violation(string screen, string theme)
    {
        var viewport = screen == "phone" ? Viewports.Phone : Viewports.Desktop;
        var scheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light;
        var visitor = await app.OpenAsync(viewport, scheme);
        var page = await app.OpenAsync(viewport, scheme);
        var email = app.NewEmail($"a11y-{screen}-{theme}");
        var violations = new List<string>();

        async Task CheckAsync(IPage on, string name)
        {
            await Browser.ScreenshotAsync(on, $"a11y-{name}-{screen}-{theme}");
            violations.AddRange((await Accessibility.SeriousViolationsAsync(on)).Select(v => $"{name}: {v}"));
        }

        await new LoginPage(visitor).OpenAsync();
        await CheckAsync(visitor, "login");
        await new RegisterPage(visitor).OpenAsync();
        await CheckAsync(visitor, "register");

        var workspaceUrl = await app.SignUpWithWorkspaceAsync(page, email, "Accessible Studio");
        await CheckAsync(page, "workspace");
        await new WorkspacePage(page).OpenSettingsAsync();
        var inviteLink = await new WorkspaceSettingsPage(page).CreateInviteAsync();
        await CheckAsync(page, "workspace-settings");
        await new InvitePage(visitor).OpenAsync(inviteLink);
        await CheckAsync(visitor, "invite");

        var compose = new ComposePage(page);
        await compose.OpenAsync();
        await compose.WriteAsync("A lighthouse at dawn");
        await compose.ToggleAsync("coals");
        await CheckAsync(page, "compose");
        await compose.RunAsync();
        await compose.WaitForImageAsync("koala");
        await compose.WaitForImageAsync("coals");
        await CheckAsync(page, "compose-results");

        var gallery = new GalleryPage(page);
        await gallery.OpenAsync();
        await CheckAsync(page, "gallery");
        await gallery.OpenFirstImageAsync();
        await new ImagePage(page).WaitForImageAsync();
        await CheckAsync(page, "image");

        foreach (var (path, name) in new[] { ("/spend", "spend"), ("/keys", "keys"), ("/keys/audit", "key-audit"), ("/settings/tokens", "tokens"), ("/not-found", "not-found") })
        {
            await page.GotoAsync(path);
            await Browser.WaitForCircuitAsync(page);
            await CheckAsync(page, name);
        }
        var shell = new Shell(page);
        await shell.OpenAccountMenuAsync();
        await CheckAsync(page, "account-menu");
        await page.Keyboard.PressAsync("Escape");
        await page.GotoAsync("/gallery");
        await Browser.WaitForCircuitAsync(page);
        await shell.Switcher.ClickAsync();
        await page.Locator("[data-testid=workspace-new]").WaitForAsync();
        await CheckAsync(page, "workspace-switcher");
        await new ChangePasswordPage(page).OpenAsync();
        await CheckAsync(page, "change-password");
        await page.GotoAsync("/admin");
        await CheckAsync(page, "admin-denied");

        var report = Path.Combine(AppContext.BaseDirectory, "TestResults", $"a11y-{screen}-{theme}.txt");
        await File.WriteAllLinesAsync(report, violations, TestContext.Current.CancellationToken);
        Assert.True(violations.Count == 0, $"{violations.Count} serious or critical violation(s) at {screen} width in {theme}:\n{string.Join("\n", violations)}");
    }
}
