using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Sharing;

/// <summary>A member shares an image; someone who never signed in opens the link in their own browser.</summary>
public sealed class ShareLinkTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task A_member_shares_an_image_and_a_stranger_opens_the_link_in_a_fresh_browser_without_the_prompt()
    {
        var page = await app.OpenAsync();
        var errors = Browser.CollectErrors(page);
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail("sharer"));
        var compose = new ComposePage(page);
        await compose.OpenAsync();
        await compose.WriteAsync("A private prompt about a copper teapot");
        await compose.RunAsync();
        await compose.WaitForImageAsync("koala");
        var gallery = new GalleryPage(page);
        await gallery.OpenAsync();
        await gallery.OpenFirstImageAsync();
        var image = new ImagePage(page);
        await image.WaitForImageAsync();

        var link = await image.ShareAsync();
        await Browser.ScreenshotAsync(page, "share-dialog");

        var stranger = await app.OpenAsync(); // a fresh context: no cookies, never signed in
        var strangerErrors = Browser.CollectErrors(stranger);
        var shared = new SharedPage(stranger);
        var response = await shared.OpenAsync(link);
        await shared.WaitForImagesAsync();
        await Browser.ScreenshotAsync(stranger, "share-public-page");
        var html = await stranger.ContentAsync();
        var headers = await response.AllHeadersAsync();

        Assert.Equal(200, response.Status);
        Assert.Matches("/s/[A-Za-z0-9_-]{32}$", link);
        Assert.Equal(1, await shared.Images.CountAsync());
        await Expect(shared.Heading).ToHaveTextAsync("An image shared from ImageHub");
        Assert.DoesNotContain("copper teapot", html);
        Assert.DoesNotContain("Log in", html); // not the login page
        Assert.Equal("noindex, nofollow", headers["x-robots-tag"]);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
        Assert.Empty(errors);
        Assert.Empty(strangerErrors);
    }
}

/// <summary>The gallery's pages at the two screen sizes, light and dark: nothing wider than the screen (screenshots to look at).</summary>
public sealed class GalleryLayoutTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Theory]
    [InlineData("desktop", Microsoft.Playwright.ColorScheme.Light)]
    [InlineData("desktop", Microsoft.Playwright.ColorScheme.Dark)]
    [InlineData("phone", Microsoft.Playwright.ColorScheme.Light)]
    [InlineData("phone", Microsoft.Playwright.ColorScheme.Dark)]
    public async Task The_gallery_image_links_and_public_pages_fit_the_screen(string screen, Microsoft.Playwright.ColorScheme scheme)
    {
        var page = await app.OpenAsync(screen == "phone" ? Viewports.Phone : Viewports.Desktop, scheme);
        var errors = Browser.CollectErrors(page);
        await app.SignUpWithWorkspaceAsync(page, app.NewEmail($"layout-{screen}-{scheme}"));
        var compose = new ComposePage(page);
        await compose.OpenAsync();
        await compose.WriteAsync("A lighthouse on a cliff at dusk, painted in thick oil strokes");
        await compose.ToggleAsync("coals");
        await compose.RunAsync();
        await compose.WaitForImageAsync("koala");
        await compose.WaitForImageAsync("coals");
        var shell = new Shell(page);
        var overflow = new Dictionary<string, int>();
        var name = $"{screen}-{scheme.ToString().ToLowerInvariant()}";

        var gallery = new GalleryPage(page);
        await gallery.OpenAsync();
        await gallery.Tiles.Nth(1).WaitForAsync();
        await page.Locator("input[data-testid=tile-select]").First.CheckAsync(new() { Force = true });
        await page.Locator("[data-testid=selection-bar]").WaitForAsync();
        overflow["gallery"] = await shell.OverflowAsync();
        await Browser.ScreenshotAsync(page, $"gallery-{name}");

        await gallery.OpenFirstImageAsync();
        var image = new ImagePage(page);
        await image.WaitForImageAsync();
        overflow["image"] = await shell.OverflowAsync();
        await Browser.ScreenshotAsync(page, $"image-{name}");
        var link = await image.ShareAsync();
        await page.ClickAsync("[data-testid=share-done]");

        await page.GotoAsync("/shares");
        await Browser.WaitForCircuitAsync(page);
        await page.Locator("[data-testid=share-revoke]").WaitForAsync();
        overflow["shares"] = await shell.OverflowAsync();
        await Browser.ScreenshotAsync(page, $"shares-{name}");

        var shared = new SharedPage(page);
        await shared.OpenAsync(link);
        await shared.WaitForImagesAsync();
        overflow["public"] = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        await Browser.ScreenshotAsync(page, $"public-{name}");

        Assert.All(overflow, o => Assert.True(o.Value <= 0, $"{o.Key} is {o.Value}px wider than the screen"));
        Assert.Empty(errors);
    }
}
