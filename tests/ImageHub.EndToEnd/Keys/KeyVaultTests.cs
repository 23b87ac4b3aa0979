using ImageHub.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Keys;

/// <summary>The key vault, click by click, in Chromium against the real app with its sandbox providers.</summary>
public sealed class KeyVaultTests
{
    private const string Password = "correct horse battery";
    private const string GoodSecret = "kolbo_live_e2e_GoodSecret_7c1f";
    private const string WrongSecret = "bad_kolbo_pasted_wrong_51d0";
    private const string RotatedSecret = "kolbo_live_e2e_Rotated_93ab";

    [Fact]
    public async Task An_owner_adds_a_key_sees_only_its_mask_checks_it_adds_a_wrong_one_rotates_and_disables()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:KoalaReadyDelay"] = "00:00:00",
            ["Sandbox:QolabaTaskStepDelay"] = "00:00:00",
            ["Sandbox:KolboStepDelay"] = "00:00:00",
        }, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl);
        var errors = Browser.CollectErrors(page);
        await RegisterWithWorkspaceAsync(page, baseUrl);

        // An empty vault says what to do next.
        await page.GotoAsync("/keys");
        await Browser.WaitForCircuitAsync(page);
        var emptyState = await page.Locator("[data-testid=my-keys] [data-testid=missing-kolbo]").InnerTextAsync();

        // Add a Kolbo key: the table shows its mask and, after the automatic check against the sandbox, Valid with the balance.
        await AddKeyAsync(page, "Kolbo", "Main Kolbo", GoodSecret);
        var main = Row(page, "Main Kolbo");
        await Expect(main.Locator("[data-testid=key-status]")).ToHaveTextAsync("Valid");
        var mask = await main.Locator("[data-testid=key-mask]").InnerTextAsync();
        var balance = await main.Locator("[data-testid=key-balance]").InnerTextAsync();
        var htmlAfterAdd = await page.ContentAsync();
        await Browser.ScreenshotAsync(page, "keys-valid");

        // A wrong key is invalid, with the provider's own words.
        await AddKeyAsync(page, "Kolbo", "Typo Kolbo", WrongSecret);
        var typo = Row(page, "Typo Kolbo");
        await Expect(typo.Locator("[data-testid=key-status]")).ToHaveTextAsync("Invalid");
        var refusal = await typo.Locator("[data-testid=key-status-message]").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "keys-invalid");

        // Rotate the first key: same row, new mask, checked again.
        await main.Locator("[data-testid=key-rotate]").ClickAsync();
        await page.FillAsync("[data-testid=rotate-secret-input]", RotatedSecret);
        await page.ClickAsync("[data-testid=rotate-save]");
        await Expect(main.Locator("[data-testid=key-mask]")).ToHaveTextAsync("••••93ab");
        await Expect(main.Locator("[data-testid=key-status]")).ToHaveTextAsync("Valid");

        // Disable it, confirming in the dialog.
        await main.Locator("[data-testid=key-toggle]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Disable", Exact = true }).ClickAsync();
        await Expect(main.Locator("[data-testid=key-status]")).ToHaveTextAsync("Disabled");
        var htmlAtEnd = await page.ContentAsync();
        await Browser.ScreenshotAsync(page, "keys-rotated-and-disabled");

        // The audit log tells the story, without secrets.
        await page.ClickAsync("[data-testid=open-audit]");
        await page.WaitForURLAsync("**/keys/audit");
        await Browser.WaitForCircuitAsync(page);
        var audit = await page.Locator("[data-testid=audit-log]").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "keys-audit");

        Assert.Contains("No key for Kolbo yet.", emptyState);
        Assert.Contains("Add one", emptyState, StringComparison.OrdinalIgnoreCase); // upper case until the shell's theme lands
        Assert.Equal("••••7c1f", mask);
        Assert.Equal("1,000 cr", balance);
        Assert.Contains("Invalid API key", refusal);
        Assert.Contains("Kolbo refused the key (401)", refusal);
        foreach (var html in new[] { htmlAfterAdd, htmlAtEnd, audit })
        {
            Assert.DoesNotContain(GoodSecret, html);
            Assert.DoesNotContain(WrongSecret, html);
            Assert.DoesNotContain(RotatedSecret, html);
        }
        foreach (var action in new[] { "Added", "Checked", "Rotated", "Disabled" }) Assert.Contains(action, audit);
        Assert.Empty(errors);
    }

    private static ILocator Row(IPage page, string label) =>
        page.Locator("[data-testid=my-keys] tr", new PageLocatorOptions { Has = page.Locator("[data-testid=key-label]", new PageLocatorOptions { HasTextString = label }) });

    private static async Task AddKeyAsync(IPage page, string provider, string label, string secret)
    {
        await page.ClickAsync("[data-testid=add-key]");
        await page.Locator("[data-testid=add-key-dialog]").WaitForAsync();
        await page.ClickAsync("[data-testid=key-provider]");
        await page.Locator(".mud-popover-open .mud-list-item", new PageLocatorOptions { HasTextString = provider }).First.ClickAsync();
        await page.FillAsync("[data-testid=key-label-input]", label);
        await page.FillAsync("[data-testid=key-secret-input]", secret);
        await page.ClickAsync("[data-testid=key-save]");
        await page.Locator("[data-testid=add-key-dialog]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
    }

    private static async Task RegisterWithWorkspaceAsync(IPage page, Uri baseUrl)
    {
        await page.GotoAsync("/Account/Register");
        await page.FillAsync("#email", "keeper@example.com");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm", Password);
        await page.ClickAsync("[data-testid=register-submit]");
        await page.WaitForURLAsync(baseUrl.ToString());
        await Browser.WaitForCircuitAsync(page);
        await page.GotoAsync("/workspaces/new");
        await Browser.WaitForCircuitAsync(page);
        await page.FillAsync("[data-testid=workspace-name]", "Key Studio");
        await page.ClickAsync("[data-testid=workspace-create]");
        await page.WaitForURLAsync("**/workspaces/*-*");
        await Browser.WaitForCircuitAsync(page);
    }
}
