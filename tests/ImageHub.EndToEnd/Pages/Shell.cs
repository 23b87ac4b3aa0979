using ImageHub.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Pages;

/// <summary>The app bar (brand, Sandbox badge, workspace switcher, account menu) and the navigation drawer.</summary>
public sealed class Shell(IPage page)
{
    public ILocator Drawer => page.Locator("[data-testid=nav-drawer]");
    public ILocator NavItems => page.Locator("[data-testid=nav-menu] .mud-nav-link");
    public ILocator NavToggle => page.Locator("[data-testid=nav-toggle]");
    public ILocator Switcher => page.Locator("[data-testid=workspace-switcher] button").First;
    public ILocator Main => page.Locator("main");

    public async Task<bool> DrawerIsOpenAsync() =>
        (await Drawer.GetAttributeAsync("class"))?.Contains("mud-drawer--open", StringComparison.Ordinal) == true;

    /// <summary>Follows a drawer link (opening the drawer first where it is closed, as on a phone).</summary>
    public async Task NavigateAsync(string item)
    {
        var link = page.Locator("[data-testid=nav-menu] .mud-nav-link", new() { HasTextString = item });
        if (page.ViewportSize is { Width: < 960 })
        {
            // A phone: the drawer settles closed after the first render; open it, then pick.
            await Microsoft.Playwright.Assertions.Expect(Drawer).ToHaveClassAsync(Closed);
            for (var attempt = 0; !await DrawerIsOpenAsync(); attempt++)
            {
                if (attempt == 3) throw new InvalidOperationException("The menu button did not open the drawer.");
                await NavToggle.ClickAsync();
                await page.WaitForFunctionAsync("() => !!document.querySelector('[data-testid=nav-drawer].mud-drawer--open')", null, new() { Timeout = 5000 })
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        var href = await link.GetAttributeAsync("href");
        // Listen before clicking: a page may move on at once (Workspace replaces /workspace with /workspaces/{id}), and a
        // wait begun after the click would then never see the link's own address. Commit, not Load: an enhanced
        // navigation fires no load event, and a full one may wait on every thumbnail; the circuit check below is what
        // says the page is usable.
        var arrived = page.WaitForURLAsync(url => new Uri(url).AbsolutePath.TrimStart('/') == (href ?? "").TrimStart('/'),
            new() { WaitUntil = Microsoft.Playwright.WaitUntilState.Commit });
        await link.ClickAsync();
        await arrived;
        await Browser.WaitForCircuitAsync(page);
        if (page.ViewportSize is { Width: < 960 }) await Microsoft.Playwright.Assertions.Expect(Drawer).ToHaveClassAsync(Closed);
    }

    private static readonly System.Text.RegularExpressions.Regex Closed = new("mud-drawer--closed");

    public async Task OpenAccountMenuAsync()
    {
        await page.ClickAsync("[data-testid=account-menu] button");
        await page.Locator("[data-testid=menu-tokens]").WaitForAsync();
    }

    public async Task ChooseThemeAsync(string theme)
    {
        await OpenAccountMenuAsync();
        await page.ClickAsync($"[data-testid=theme-{theme.ToLowerInvariant()}]");
        await page.Locator($"main[data-theme={(theme == "Dark" ? "dark" : "light")}]").WaitForAsync();
    }

    public async Task LogOutAsync()
    {
        await OpenAccountMenuAsync();
        await page.ClickAsync("[data-testid=logout]");
        await page.WaitForURLAsync("**/Account/Login");
    }

    public async Task NewWorkspaceAsync()
    {
        await Switcher.ClickAsync();
        await page.ClickAsync("[data-testid=workspace-new]");
        await page.WaitForURLAsync("**/workspaces/new");
        await Browser.WaitForCircuitAsync(page);
    }

    /// <summary>How far the page is wider than the window (0 or less: it fits).</summary>
    public Task<int> OverflowAsync() =>
        page.EvaluateAsync<int>("Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll('main')].map(e => e.scrollWidth)) - window.innerWidth");
}
