using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Compose;

/// <summary>A member composes in Debian's Chromium against the real app in sandbox mode (the four providers emulated on loopback).</summary>
public sealed class ComposeTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task A_member_composes_on_one_provider_and_watches_the_image_arrive_then_opens_it()
    {
        var page = await app.OpenAsync();
        var errors = Browser.CollectErrors(page);
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail("ada"));
        var compose = new ComposePage(page);

        await compose.OpenAsync();
        var emptyResults = await compose.EmptyResults.InnerTextAsync();
        await compose.WriteAsync("A lighthouse at dawn, watercolor");
        await Expect(compose.Counter).ToHaveTextAsync("32 / 4,000 characters");
        await compose.PickOptionAsync("koala", "style", "Watercolor");
        var estimate = await compose.Estimate("koala").InnerTextAsync();
        await compose.RunAsync();
        var image = await compose.WaitForImageAsync("koala");
        var credits = await compose.Card("koala").Locator("[data-testid=credits]").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "compose-one-provider-done");

        await image.ClickAsync();
        await page.WaitForURLAsync("**/images/*/view");
        var imagePage = new ImagePage(page);
        await imagePage.WaitForImageAsync();
        var facts = await imagePage.Facts.InnerTextAsync();
        await Browser.ScreenshotAsync(page, "image-page");

        await imagePage.UseAgainAsync();
        var recalledPrompt = await compose.Prompt.InputValueAsync();
        var recalledStyle = await compose.ValueOfAsync("opt-koala-style");

        var gallery = new GalleryPage(page);
        await gallery.OpenAsync();
        var tiles = await gallery.Tiles.CountAsync();
        await Browser.ScreenshotAsync(page, "gallery");

        Assert.Contains("Your results appear here", emptyResults);
        Assert.Equal("≈ 1 credit", estimate);
        Assert.Equal("1 credit", credits);
        Assert.Contains("Koala", facts);
        Assert.Contains("watercolor", facts, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("A lighthouse at dawn, watercolor", recalledPrompt);
        Assert.Equal("Watercolor", recalledStyle);
        Assert.Equal(1, tiles);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task One_prompt_compared_across_all_four_providers_fits_one_screen_and_lands_side_by_side_with_credits_each()
    {
        var page = await app.OpenAsync();
        var errors = Browser.CollectErrors(page);
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail("cmp"));
        var compose = new ComposePage(page);

        await compose.OpenAsync();
        await compose.WriteAsync("A red bicycle leaning on a blue wall");
        foreach (var provider in new[] { "qolaba", "coals", "kolbo" }) await compose.ToggleAsync(provider);
        await compose.PickAsync("shared-shape", "16:9");
        await Expect(compose.Summary("koala")).ToContainTextAsync("1344 × 768");
        await Expect(compose.Summary("coals")).ToContainTextAsync("Width 1024 · Height 576");
        await Expect(compose.Summary("kolbo")).ToContainTextAsync("16:9");
        await Expect(compose.Counter).ToHaveTextAsync("36 / 2,000 characters (limit set by Coals)");
        await page.Keyboard.PressAsync("Control+Enter"); // not in the prompt: nothing runs
        await compose.RunWithKeyboardAsync();
        foreach (var provider in new[] { "koala", "qolaba", "coals", "kolbo" })
        {
            await compose.WaitForImageAsync(provider, "[data-testid=compare-run]");
        }
        var cards = await compose.CompareRuns.Locator(".ih-result").CountAsync();
        var runs = await compose.CompareRuns.CountAsync();
        var coals = compose.CompareRuns.Locator("[data-testid=result-coals]");
        var coalsCredits = await coals.Locator("[data-testid=credits]").InnerTextAsync();
        var coalsUsd = await coals.Locator("[data-testid=usd]").InnerTextAsync();
        var tops = await compose.CompareRuns.Locator(".ih-result").EvaluateAllAsync<double[]>("cards => cards.map(c => c.getBoundingClientRect().top)");
        var runBottom = await compose.RunButton.EvaluateAsync<double>("b => b.getBoundingClientRect().bottom");
        await Browser.ScreenshotAsync(page, "compare-four-providers");

        Assert.Equal(1, runs);
        Assert.Equal(4, cards);
        Assert.Equal("2 credits", coalsCredits);
        Assert.Equal("$0.02", coalsUsd);
        Assert.Single(tops.Distinct()); // side by side: one row at 1366 px
        Assert.True(runBottom < 900 && tops.Min() < 900 - 120, $"Run ends at {runBottom}px and the results start at {tops.Min()}px: both must be on the 900px screen");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_out_of_range_option_is_explained_beside_its_field_and_nothing_runs()
    {
        var page = await app.OpenAsync();
        var errors = Browser.CollectErrors(page);
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail("oops"));
        var compose = new ComposePage(page);
        var postsBefore = CoalsPosts();

        await compose.OpenAsync();
        await compose.ToggleAsync("koala"); // off
        await compose.ToggleAsync("coals");
        await compose.WriteAsync("A tiny house");
        await compose.TypeOptionAsync("coals", "width", "5000");
        await compose.RunAsync();
        await Expect(compose.FieldError("coals", "width")).ToContainTextAsync("2048");
        var message = await compose.FieldError("coals", "width").InnerTextAsync();
        await Browser.ScreenshotAsync(page, "compose-field-error");
        var results = await compose.Cards.CountAsync();

        Assert.Contains("width", message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, results);
        Assert.Equal(postsBefore, CoalsPosts());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_gallery_left_open_in_another_tab_shows_a_new_image_without_a_reload()
    {
        var composer = await app.OpenAsync();
        var errors = Browser.CollectErrors(composer);
        await app.SignUpWithWorkspaceAsync(composer, app.NewEmail("live"));
        var galleryTab = await composer.Context.NewPageAsync(); // same sign-in, another tab
        var gallery = new GalleryPage(galleryTab);
        await gallery.OpenAsync();
        var emptyBefore = await gallery.Empty.InnerTextAsync();

        var compose = new ComposePage(composer);
        await compose.OpenAsync();
        await compose.WriteAsync("A quiet harbour at night");
        await compose.RunAsync();
        await gallery.Tiles.First.WaitForAsync();
        var tile = await gallery.Tiles.First.InnerTextAsync();
        await Browser.ScreenshotAsync(galleryTab, "gallery-live");

        Assert.Contains("No images yet", emptyBefore);
        Assert.Contains("A quiet harbour at night", tile);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task On_a_phone_a_member_composes_logs_out_logs_in_navigates_through_the_drawer_and_opens_an_image()
    {
        var page = await app.OpenAsync(Viewports.Phone);
        var errors = Browser.CollectErrors(page);
        var email = app.NewEmail("phone");
        await app.SignUpWithWorkspaceAsync(page, email);
        var compose = new ComposePage(page);
        var shell = new Shell(page);

        await compose.OpenAsync();
        await compose.WriteAsync("A cat on a windowsill");
        await compose.ToggleAsync("kolbo");
        await Browser.ScreenshotAsync(page, "phone-compose");
        await compose.RunAsync();
        await compose.WaitForImageAsync("kolbo");
        await compose.WaitForImageAsync("koala");
        var overflow = new Dictionary<string, int> { ["compose"] = await shell.OverflowAsync() };
        await Browser.ScreenshotAsync(page, "phone-compose-results");

        await shell.LogOutAsync();
        await new LoginPage(page).LogInAsync(email);
        await shell.NavigateAsync("Spend");
        await Expect(shell.Drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--closed")); // it closes once a page is picked
        overflow["spend"] = await shell.OverflowAsync();
        await shell.NavigateAsync("Gallery");
        overflow["gallery"] = await shell.OverflowAsync();
        await Browser.ScreenshotAsync(page, "phone-gallery");
        await new GalleryPage(page).OpenFirstImageAsync();
        await new ImagePage(page).WaitForImageAsync();
        overflow["image"] = await shell.OverflowAsync();
        await Browser.ScreenshotAsync(page, "phone-image");

        Assert.Matches("^/images/[^/]+/view$", new Uri(page.Url).AbsolutePath);
        Assert.All(overflow, o => Assert.True(o.Value <= 0, $"{o.Key} is {o.Value}px wider than the phone screen"));
        Assert.Empty(errors);
    }

    private int CoalsPosts() => app.Sandbox.Server.State.Requests.Count(r => r.Provider == "coals" && r.Method == "POST");
}
