using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Infrastructure;

/// <summary>Debian's Chromium driven by Playwright (playwright install cannot download browsers here).</summary>
public static class Browser
{
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        return (playwright, browser);
    }

    /// <summary>
    /// A page in a fresh browser context (its own cookies) on <paramref name="baseUrl"/>. Waits allow 60 s, not 30:
    /// CI runs the test projects side by side on two cores.
    /// </summary>
    public static async Task<IPage> OpenAsync(IBrowser browser, Uri baseUrl, ViewportSize? viewport = null, ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl.ToString(), ViewportSize = viewport, ColorScheme = colorScheme });
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>Saves a screenshot under TestResults/screenshots beside the test assembly and prints where.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Current.TestOutputHelper?.WriteLine($"screenshot: {path}");
        return path;
    }

    /// <summary>Waits until the page's Blazor circuit renders (the layout flips data-interactive to true).</summary>
    public static async Task WaitForCircuitAsync(IPage page)
    {
        try
        {
            await page.Locator("main[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        }
        catch (TimeoutException)
        {
            await ScreenshotAsync(page, "circuit-timeout");
            var log = Logs.TryGetValue(page, out var lines) ? string.Join("\n", lines) : "(no console log)";
            throw new TimeoutException($"The Blazor circuit did not render on {page.Url}. Console:\n{log}");
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> Logs = new();

    /// <summary>Collects console errors and page errors (CSP violations show up here).</summary>
    public static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        var log = Logs.GetOrCreateValue(page);
        page.Console += (_, message) => { log.Add($"{message.Type}: {message.Text}"); if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        return errors;
    }
}
