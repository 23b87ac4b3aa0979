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
