using ImageHub.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Pages;

/// <summary>/admin: the instance admin console.</summary>
public sealed class AdminConsolePage(IPage page)
{
    public ILocator Emails => page.Locator("[data-testid=users] [data-testid=user-email]");
    public ILocator AuditActions => page.Locator("[data-testid=audit-action]");

    public async Task OpenAsync()
    {
        await page.GotoAsync("/admin");
        await Browser.WaitForCircuitAsync(page);
        await page.Locator("[data-testid=users]").WaitForAsync();
    }

    public async Task SearchAsync(string text)
    {
        var search = page.Locator("input[data-testid=users-search], [data-testid=users-search] input").First;
        await search.FillAsync(text);
        await search.PressAsync("Enter");
    }

    public ILocator Row(string email) => page.Locator("[data-testid=users] tr").Filter(new() { Has = page.Locator($"[data-testid=user-email]:text-is(\"{email}\")") });

    public ILocator Status(string email) => Row(email).Locator("[data-testid=user-status]");

    /// <summary>Disables <paramref name="email"/>'s account, confirming the dialog.</summary>
    public async Task DisableAsync(string email)
    {
        await Row(email).Locator("[data-testid=user-disable-toggle]").ClickAsync();
        await page.Locator(".mud-dialog button", new() { HasTextString = "Disable" }).ClickAsync();
        await Status(email).Filter(new() { HasTextString = "Disabled" }).WaitForAsync();
    }
}
