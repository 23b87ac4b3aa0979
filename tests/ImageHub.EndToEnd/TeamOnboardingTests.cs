using ImageHub.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd;

/// <summary>What two people do, click by click, in Debian's Chromium against the real app on loopback.</summary>
public sealed class TeamOnboardingTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task A_newcomer_builds_a_workspace_invites_a_colleague_who_joins_as_a_member_and_cannot_open_admin_pages()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        // The newcomer registers and creates a workspace.
        var owner = await Browser.OpenAsync(browser, baseUrl);
        var ownerErrors = Browser.CollectErrors(owner);
        await owner.GotoAsync("/Account/Register");
        await owner.FillAsync("#email", "olivia@example.com");
        await owner.FillAsync("#password", Password);
        await owner.FillAsync("#confirm", Password);
        await owner.ClickAsync("[data-testid=register-submit]");
        await owner.WaitForURLAsync(baseUrl.ToString());
        await Browser.WaitForCircuitAsync(owner);
        await owner.ClickAsync("[data-testid=no-workspace] button");
        await owner.WaitForURLAsync("**/workspaces/new");
        await Browser.WaitForCircuitAsync(owner);
        await owner.FillAsync("[data-testid=workspace-name]", "Studio North");
        await owner.ClickAsync("[data-testid=workspace-create]");
        await owner.WaitForURLAsync("**/workspaces/*-*");
        var workspaceUrl = owner.Url;
        await Browser.WaitForCircuitAsync(owner);

        // ...and creates an invite link.
        await owner.ClickAsync("[data-testid=open-settings]");
        await owner.WaitForURLAsync("**/settings");
        await Browser.WaitForCircuitAsync(owner);
        await owner.ClickAsync("[data-testid=create-invite]");
        var inviteLink = await owner.Locator("[data-testid=invite-link]").InputValueAsync();
        await Browser.ScreenshotAsync(owner, "owner-workspace-settings");

        // A second person registers through the link.
        var colleague = await Browser.OpenAsync(browser, baseUrl);
        var colleagueErrors = Browser.CollectErrors(colleague);
        await colleague.GotoAsync(inviteLink);
        var invitation = await colleague.Locator("h1").InnerTextAsync();
        await colleague.ClickAsync("[data-testid=invite-register]");
        await colleague.FillAsync("#email", "marco@example.com");
        await colleague.FillAsync("#password", Password);
        await colleague.FillAsync("#confirm", Password);
        await colleague.ClickAsync("[data-testid=register-submit]");
        await colleague.WaitForURLAsync(workspaceUrl);
        await Browser.WaitForCircuitAsync(colleague);
        var role = await colleague.Locator("[data-testid=my-role]").InnerTextAsync();
        var members = await colleague.Locator("[data-testid=members]").InnerTextAsync();
        var sidebar = await colleague.Locator(".rz-sidebar").InnerTextAsync();
        await Browser.ScreenshotAsync(colleague, "member-lands-in-workspace");

        // The member cannot open the admin pages (those answers are 403s, which the console reports: not counted as errors).
        var colleagueErrorsBeforeDenials = colleagueErrors.ToList();
        await colleague.GotoAsync($"{workspaceUrl}/settings");
        var settingsDenied = await colleague.Locator("[data-testid=access-denied]").InnerTextAsync();
        await colleague.GotoAsync("/admin");
        var adminDenied = await colleague.Locator("[data-testid=access-denied]").InnerTextAsync();
        await Browser.ScreenshotAsync(colleague, "member-access-denied");

        Assert.Equal("Join Studio North", invitation);
        Assert.Equal("Your role: Member", role);
        Assert.Contains("olivia@example.com", members);
        Assert.Contains("marco@example.com", members);
        Assert.DoesNotContain("Admin", sidebar);
        Assert.Contains("You do not have permission to open this page", settingsDenied);
        Assert.Contains("You do not have permission to open this page", adminDenied);
        Assert.Empty(ownerErrors);
        Assert.Empty(colleagueErrorsBeforeDenials);
    }

    [Fact]
    public async Task The_theme_choice_survives_a_reload()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl);
        await RegisterAsync(page, baseUrl, "night@example.com");
        var lightBackground = await BodyBackgroundAsync(page);

        await page.ClickAsync("[data-testid=theme-toggle]");
        await page.Locator("link[href*='material-dark']").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync(page);
        var darkLinksAfterReload = await page.Locator("link[href*='material-dark']").CountAsync();
        var darkBackground = await BodyBackgroundAsync(page);
        await Browser.ScreenshotAsync(page, "dark-theme-after-reload");

        Assert.True(darkLinksAfterReload > 0, "the dark Radzen theme is served after the reload");
        Assert.NotEqual(lightBackground, darkBackground);
    }

    [Fact]
    public async Task Pages_render_with_Radzen_styles_and_no_console_or_CSP_errors()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl);
        var errors = Browser.CollectErrors(page);

        await page.GotoAsync("/Account/Login");
        var loginButton = await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('[data-testid=login-submit]')).backgroundColor");
        await RegisterAsync(page, baseUrl, "styled@example.com");
        var header = await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('.rz-header')).backgroundColor");
        var sidebarItems = await page.Locator(".rz-navigation-item").CountAsync();
        await Browser.ScreenshotAsync(page, "compose-home");

        Assert.NotEqual("rgba(0, 0, 0, 0)", loginButton);
        Assert.NotEqual("rgba(0, 0, 0, 0)", header);
        Assert.Equal(6, sidebarItems); // Compose, Gallery, Spend, Keys, Workspace, Admin (the first account is the administrator)
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_shell_fits_a_phone_width_screen()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl, new ViewportSize { Width = 390, Height = 844 });
        Browser.CollectErrors(page);

        await RegisterAsync(page, baseUrl, "phone@example.com");
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        await Browser.ScreenshotAsync(page, "phone-width");

        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the phone screen");
    }

    private static async Task RegisterAsync(IPage page, Uri baseUrl, string email)
    {
        await page.GotoAsync("/Account/Register");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm", Password);
        await page.ClickAsync("[data-testid=register-submit]");
        await page.WaitForURLAsync(baseUrl.ToString());
        await Browser.WaitForCircuitAsync(page);
    }

    private static Task<string> BodyBackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
}
