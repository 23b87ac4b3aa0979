using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Keys;

/// <summary>The key vault, click by click, in Chromium against the real app with its sandbox providers.</summary>
public sealed class KeyVaultTests(AppFixture app) : IClassFixture<AppFixture>
{
    private const string GoodSecret = "kolbo_live_e2e_GoodSecret_7c1f";
    private const string WrongSecret = "bad_kolbo_pasted_wrong_51d0";
    private const string RotatedSecret = "kolbo_live_e2e_Rotated_93ab";

    [Fact]
    public async Task An_owner_adds_a_key_sees_only_its_mask_checks_it_adds_a_wrong_one_rotates_and_disables()
    {
        var page = await app.OpenAsync();
        var errors = Browser.CollectErrors(page);
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail("keeper"), "Key Studio");
        var keys = new KeysPage(page);

        // An empty vault says what to do next.
        await keys.OpenAsync();
        var emptyState = await keys.Missing("kolbo").InnerTextAsync();

        // Add a Kolbo key: the table shows its mask and, after the automatic check against the sandbox, Valid with the balance.
        await keys.AddAsync("Kolbo", "Main Kolbo", GoodSecret);
        var main = keys.Row("Main Kolbo");
        await Expect(main.Locator("[data-testid=key-status]")).ToHaveTextAsync("Valid");
        var mask = await main.Locator("[data-testid=key-mask]").InnerTextAsync();
        var balance = await main.Locator("[data-testid=key-balance]").InnerTextAsync();
        var htmlAfterAdd = await page.ContentAsync();
        await Browser.ScreenshotAsync(page, "keys-valid");

        // A wrong key is invalid, with the provider's own words.
        await keys.AddAsync("Kolbo", "Typo Kolbo", WrongSecret);
        var typo = keys.Row("Typo Kolbo");
        await Expect(typo.Locator("[data-testid=key-status]")).ToHaveTextAsync("Invalid");
        var refusal = await typo.Locator("[data-testid=key-status-message]").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "keys-invalid");

        // Rotate the first key: same row, new mask, checked again.
        await keys.RotateAsync("Main Kolbo", RotatedSecret);
        await Expect(main.Locator("[data-testid=key-mask]")).ToHaveTextAsync("••••93ab");
        await Expect(main.Locator("[data-testid=key-status]")).ToHaveTextAsync("Valid");

        // Disable it, confirming in the dialog.
        await keys.DisableAsync("Main Kolbo");
        await Expect(main.Locator("[data-testid=key-status]")).ToHaveTextAsync("Disabled");
        var htmlAtEnd = await page.ContentAsync();
        await Browser.ScreenshotAsync(page, "keys-rotated-and-disabled");

        // The audit log tells the story, without secrets.
        await keys.OpenAuditAsync();
        var audit = await new KeyAuditPage(page).Log.InnerTextAsync();
        await Browser.ScreenshotAsync(page, "keys-audit");

        Assert.Contains("No key for Kolbo yet.", emptyState);
        Assert.Contains("Add one", emptyState);
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
}
