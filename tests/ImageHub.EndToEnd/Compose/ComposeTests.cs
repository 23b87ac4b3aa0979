using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Compose;

/// <summary>A member composes in Debian's Chromium against the real app in sandbox mode (the four providers emulated on loopback).</summary>
public sealed class ComposeTests
{
    private const string Password = "correct horse battery";

    private static readonly Dictionary<string, string?> SandboxSettings = new()
    {
        ["Sandbox:Enabled"] = "true",
        ["Sandbox:KoalaReadyDelay"] = "00:00:00",
        ["Sandbox:QolabaTaskStepDelay"] = "00:00:00",
        ["Sandbox:KolboStepDelay"] = "00:00:00",
    };

    [Fact]
    public async Task A_member_composes_on_one_provider_and_watches_the_image_arrive_then_opens_it()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, SandboxSettings, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl);
        var errors = Browser.CollectErrors(page);
        await SignUpWithWorkspaceAsync(page, baseUrl, "ada@example.com");

        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        var emptyResults = await page.Locator("[data-testid=results-empty]").InnerTextAsync();
        await page.FillAsync("[data-testid=prompt]", "A lighthouse at dawn, watercolor");
        await Expect(page.Locator("[data-testid=prompt-counter]")).ToHaveTextAsync("32 / 4,000 characters");
        await page.SelectOptionAsync("[data-testid=opt-koala-style]", "watercolor");
        var estimate = await page.Locator("[data-testid=estimate-koala]").InnerTextAsync();
        await page.ClickAsync("[data-testid=run]");
        var image = page.Locator("[data-testid=result-koala][data-status=Succeeded] [data-testid=result-image] img").First;
        await image.WaitForAsync();
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await image.ElementHandleAsync());
        var credits = await page.Locator("[data-testid=result-koala] [data-testid=credits]").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "compose-one-provider-done");

        await image.ClickAsync();
        await page.WaitForURLAsync("**/images/*/view");
        await Browser.WaitForCircuitAsync(page);
        var facts = await page.Locator("[data-testid=image-facts]").InnerTextAsync();
        var full = page.Locator("[data-testid=full-image]");
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await full.ElementHandleAsync());
        await Browser.ScreenshotAsync(page, "image-page");

        await page.ClickAsync("[data-testid=use-again]");
        await page.WaitForURLAsync("**/?again=*");
        await Browser.WaitForCircuitAsync(page);
        var recalledPrompt = await page.Locator("[data-testid=prompt]").InputValueAsync();
        var recalledStyle = await page.Locator("[data-testid=opt-koala-style]").InputValueAsync();

        await page.GotoAsync("/gallery");
        await Browser.WaitForCircuitAsync(page);
        var tiles = await page.Locator("[data-testid=gallery-tile]").CountAsync();
        await Browser.ScreenshotAsync(page, "gallery");

        Assert.Contains("Your results appear here", emptyResults);
        Assert.Equal("≈ 1 credit", estimate);
        Assert.Equal("1 credit", credits);
        Assert.Contains("Koala", facts);
        Assert.Contains("watercolor", facts);
        Assert.Equal("A lighthouse at dawn, watercolor", recalledPrompt);
        Assert.Equal("watercolor", recalledStyle);
        Assert.Equal(1, tiles);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task One_prompt_compared_across_all_four_providers_lands_side_by_side_with_credits_each()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, SandboxSettings, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl, new ViewportSize { Width = 1400, Height = 1000 });
        var errors = Browser.CollectErrors(page);
        await SignUpWithWorkspaceAsync(page, baseUrl, "cmp@example.com");

        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        await page.FillAsync("[data-testid=prompt]", "A red bicycle leaning on a blue wall");
        foreach (var provider in new[] { "qolaba", "coals", "kolbo" }) await page.ClickAsync($"[data-testid=chip-{provider}]");
        await page.SelectOptionAsync("[data-testid=shared-shape]", "16:9");
        await Expect(page.Locator("[data-testid=opt-koala-size]")).ToHaveValueAsync("1344x768");
        await Expect(page.Locator("[data-testid=opt-coals-width]")).ToHaveValueAsync("1024");
        await Expect(page.Locator("[data-testid=opt-coals-height]")).ToHaveValueAsync("576");
        await Expect(page.Locator("[data-testid=opt-kolbo-aspect_ratio]")).ToHaveValueAsync("16:9");
        await Expect(page.Locator("[data-testid=prompt-counter]")).ToHaveTextAsync("36 / 2,000 characters (limit set by Coals)");
        await page.Keyboard.PressAsync("Control+Enter"); // not in the prompt: nothing runs
        await page.FocusAsync("[data-testid=prompt]");
        await page.Keyboard.PressAsync("Control+Enter");
        foreach (var provider in new[] { "koala", "qolaba", "coals", "kolbo" })
        {
            await page.Locator($"[data-testid=compare-run] [data-testid=result-{provider}][data-status=Succeeded] [data-testid=result-image]").First.WaitForAsync();
        }
        var cards = await page.Locator("[data-testid=compare-run] .ih-result").CountAsync();
        var runs = await page.Locator("[data-testid=compare-run]").CountAsync();
        var coalsCredits = await page.Locator("[data-testid=compare-run] [data-testid=result-coals] [data-testid=credits]").InnerTextAsync();
        var coalsUsd = await page.Locator("[data-testid=compare-run] [data-testid=result-coals] [data-testid=usd]").InnerTextAsync();
        var tops = await page.Locator("[data-testid=compare-run] .ih-result").EvaluateAllAsync<double[]>("cards => cards.map(c => c.getBoundingClientRect().top)");
        await page.Locator("[data-testid=compare-run]").ScrollIntoViewIfNeededAsync();
        await Browser.ScreenshotAsync(page, "compare-four-providers");

        Assert.Equal(1, runs);
        Assert.Equal(4, cards);
        Assert.Equal("2 credits", coalsCredits);
        Assert.Equal("$0.02", coalsUsd);
        Assert.Single(tops.Distinct()); // side by side: one row at this width
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_out_of_range_option_is_explained_beside_its_field_and_nothing_runs()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, SandboxSettings, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl);
        var errors = Browser.CollectErrors(page);
        await SignUpWithWorkspaceAsync(page, baseUrl, "oops@example.com");

        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        await page.ClickAsync("[data-testid=chip-koala]"); // off
        await page.ClickAsync("[data-testid=chip-coals]");
        await page.FillAsync("[data-testid=prompt]", "A tiny house");
        await page.FillAsync("[data-testid=opt-coals-width]", "5000");
        await page.Locator("[data-testid=opt-coals-width]").DispatchEventAsync("change");
        await page.ClickAsync("[data-testid=run]");
        var message = await page.Locator("[data-testid='error-coals-options.width']").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "compose-field-error");
        var results = await page.Locator(".ih-result").CountAsync();

        Assert.Contains("width", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("2048", message);
        Assert.Equal(0, results);
        Assert.DoesNotContain(app.Services.GetRequiredService<SandboxMode>().Server.State.Requests, r => r.Provider == "coals" && r.Method == "POST");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_exhausted_balance_fails_the_card_with_the_providers_reason_and_charges_nothing()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, SandboxSettings, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var sandbox = app.Services.GetRequiredService<SandboxMode>().Server.State;
        sandbox.SetBalance("kolbo", ImageHub.Web.Features.Keys.KeyResolver.SandboxSecret, 0);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl);
        var errors = Browser.CollectErrors(page);
        await SignUpWithWorkspaceAsync(page, baseUrl, "broke@example.com");

        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        await page.ClickAsync("[data-testid=chip-koala]"); // off
        await page.ClickAsync("[data-testid=chip-kolbo]");
        await page.FillAsync("[data-testid=prompt]", "A golden retriever surfing");
        await page.ClickAsync("[data-testid=run]");
        var failed = page.Locator("[data-testid=result-kolbo][data-status=Failed]");
        await failed.WaitForAsync();
        var message = await failed.Locator("[data-testid=error]").InnerTextAsync();
        var credits = await failed.Locator("[data-testid=credits]").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "compose-insufficient-credits");

        Assert.Contains("credit", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("{", message); // words, not a JSON dump
        Assert.DoesNotContain("credits when done", credits);
        var account = sandbox.Account("kolbo", ImageHub.Web.Features.Keys.KeyResolver.SandboxSecret);
        Assert.Equal(0, account.CreditsCharged - account.CreditsRefunded);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_running_Kolbo_card_can_be_canceled_from_the_page()
    {
        var slowKolbo = new Dictionary<string, string?>(SandboxSettings) { ["Sandbox:KolboStepDelay"] = "00:00:03" };
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, slowKolbo, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl);
        var errors = Browser.CollectErrors(page);
        await SignUpWithWorkspaceAsync(page, baseUrl, "stop@example.com");

        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        await page.ClickAsync("[data-testid=chip-koala]"); // off
        await page.ClickAsync("[data-testid=chip-kolbo]");
        await page.FillAsync("[data-testid=prompt]", "A slow sunrise");
        await page.ClickAsync("[data-testid=run]");
        await page.Locator("[data-testid=result-kolbo][data-status=Running] [data-testid=cancel]").ClickAsync();
        await page.Locator("[data-testid=result-kolbo][data-status=Canceled]").WaitForAsync();
        var status = await page.Locator("[data-testid=result-kolbo] [data-testid=status]").InnerTextAsync();
        var canceled = app.Services.GetRequiredService<SandboxMode>().Server.State.Requests
            .Count(r => r.Provider == "kolbo" && r.Method == "POST" && r.PathAndQuery.EndsWith("/cancel", StringComparison.Ordinal));

        Assert.Equal("Canceled", status);
        Assert.True(canceled >= 1, "Kolbo's cancel endpoint was called");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_gallery_left_open_in_another_tab_shows_a_new_image_without_a_reload()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, SandboxSettings, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var composer = await Browser.OpenAsync(browser, baseUrl);
        var errors = Browser.CollectErrors(composer);
        await SignUpWithWorkspaceAsync(composer, baseUrl, "live@example.com");
        var gallery = await composer.Context.NewPageAsync(); // same sign-in, another tab
        await gallery.GotoAsync("/gallery");
        await Browser.WaitForCircuitAsync(gallery);
        var emptyBefore = await gallery.Locator("[data-testid=gallery-empty]").InnerTextAsync();

        await composer.GotoAsync("/");
        await Browser.WaitForCircuitAsync(composer);
        await composer.FillAsync("[data-testid=prompt]", "A quiet harbour at night");
        await composer.ClickAsync("[data-testid=run]");
        await gallery.Locator("[data-testid=gallery-tile]").First.WaitForAsync();
        var tile = await gallery.Locator("[data-testid=gallery-tile]").First.InnerTextAsync();
        await Browser.ScreenshotAsync(gallery, "gallery-live");

        Assert.Contains("No images yet", emptyBefore);
        Assert.Contains("A quiet harbour at night", tile);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_composer_its_results_the_gallery_and_spend_fit_a_phone_width_screen()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, SandboxSettings, environment: "Development");
        var baseUrl = app.StartOnLoopback();
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await Browser.OpenAsync(browser, baseUrl);
        var errors = Browser.CollectErrors(page);
        await SignUpWithWorkspaceAsync(page, baseUrl, "phone@example.com");
        await page.SetViewportSizeAsync(390, 844);

        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        await page.FillAsync("[data-testid=prompt]", "A cat on a windowsill");
        await page.ClickAsync("[data-testid=chip-kolbo]");
        await Browser.ScreenshotAsync(page, "phone-compose");
        await page.ClickAsync("[data-testid=run]");
        await page.Locator("[data-testid=result-kolbo][data-status=Succeeded] [data-testid=result-image]").First.WaitForAsync();
        await page.Locator("[data-testid=result-koala][data-status=Succeeded] [data-testid=result-image]").First.WaitForAsync();
        var overflow = new Dictionary<string, int> { ["compose"] = await OverflowAsync(page) };
        await page.Locator("[data-testid=compare-run]").ScrollIntoViewIfNeededAsync();
        await Browser.ScreenshotAsync(page, "phone-compose-results");
        foreach (var path in new[] { "gallery", "spend" })
        {
            await page.GotoAsync("/" + path);
            await Browser.WaitForCircuitAsync(page);
            overflow[path] = await OverflowAsync(page);
            await Browser.ScreenshotAsync(page, "phone-" + path);
        }

        Assert.All(overflow, o => Assert.True(o.Value <= 0, $"{o.Key} is {o.Value}px wider than the phone screen"));
        Assert.Empty(errors);
    }

    private static Task<int> OverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll('.rz-body, main')].map(e => e.scrollWidth)) - window.innerWidth");

    private static async Task SignUpWithWorkspaceAsync(IPage page, Uri baseUrl, string email)
    {
        await page.GotoAsync("/Account/Register");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm", Password);
        await page.ClickAsync("[data-testid=register-submit]");
        await page.WaitForURLAsync(baseUrl.ToString());
        await Browser.WaitForCircuitAsync(page);
        await page.ClickAsync("[data-testid=no-workspace] button");
        await page.WaitForURLAsync("**/workspaces/new");
        await Browser.WaitForCircuitAsync(page);
        await page.FillAsync("[data-testid=workspace-name]", "Studio");
        await page.ClickAsync("[data-testid=workspace-create]");
        await page.WaitForURLAsync("**/workspaces/*-*");
        await Browser.WaitForCircuitAsync(page);
    }
}
