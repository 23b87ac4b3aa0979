using ImageHub.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Pages;

/// <summary>/keys: the member's keys and the workspace's, with add, check, rotate, disable.</summary>
public sealed class KeysPage(IPage page)
{
    public async Task OpenAsync()
    {
        await page.GotoAsync("/keys");
        await Browser.WaitForCircuitAsync(page);
    }

    public ILocator Missing(string provider) => page.Locator($"[data-testid=my-keys] [data-testid=missing-{provider}]");

    public ILocator Row(string label) =>
        page.Locator("[data-testid=my-keys] tr", new() { Has = page.Locator("[data-testid=key-label]", new() { HasTextString = label }) });

    public async Task AddAsync(string provider, string label, string secret)
    {
        await page.ClickAsync("[data-testid=add-key]");
        await page.Locator("[data-testid=add-key-dialog]").WaitForAsync();
        await page.ClickAsync("[data-testid=key-provider]");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = provider }).First.ClickAsync();
        await page.FillAsync("[data-testid=key-label-input]", label);
        await page.FillAsync("[data-testid=key-secret-input]", secret);
        await page.ClickAsync("[data-testid=key-save]");
        await page.Locator("[data-testid=add-key-dialog]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }

    public async Task RotateAsync(string label, string secret)
    {
        await Row(label).Locator("[data-testid=key-rotate]").ClickAsync();
        await page.FillAsync("[data-testid=rotate-secret-input]", secret);
        await page.ClickAsync("[data-testid=rotate-save]");
    }

    public async Task DisableAsync(string label)
    {
        await Row(label).Locator("[data-testid=key-toggle]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Disable", Exact = true }).ClickAsync();
    }

    public async Task OpenAuditAsync()
    {
        await page.ClickAsync("[data-testid=open-audit]");
        await page.WaitForURLAsync("**/keys/audit");
        await Browser.WaitForCircuitAsync(page);
    }
}

/// <summary>/keys/audit.</summary>
public sealed class KeyAuditPage(IPage page)
{
    public ILocator Log => page.Locator("[data-testid=audit-log]");
}
