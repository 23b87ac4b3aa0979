using ImageHub.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Pages;

/// <summary>/gallery.</summary>
public sealed class GalleryPage(IPage page)
{
    public ILocator Tiles => page.Locator("[data-testid=gallery-tile]");
    public ILocator Empty => page.Locator("[data-testid=gallery-empty]");

    /// <summary>Opens the gallery and waits for its first page: tiles, or the empty state (the grid loads after the circuit is up).</summary>
    public async Task OpenAsync()
    {
        await page.GotoAsync("/gallery");
        await Browser.WaitForCircuitAsync(page);
        await page.Locator("[data-testid=gallery-tile], [data-testid=gallery-empty]").First.WaitForAsync();
    }

    public async Task OpenFirstImageAsync()
    {
        await Tiles.First.ClickAsync();
        await page.WaitForURLAsync("**/images/*/view");
        await Browser.WaitForCircuitAsync(page);
    }
}

/// <summary>/images/{id}/view: the full image, its facts, "Use again".</summary>
public sealed class ImagePage(IPage page)
{
    public ILocator Facts => page.Locator("[data-testid=image-facts]");
    public ILocator FullImage => page.Locator("[data-testid=full-image]");

    public async Task WaitForImageAsync()
    {
        await Browser.WaitForCircuitAsync(page);
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await FullImage.ElementHandleAsync());
    }

    /// <summary>Shares the image with the dialog's defaults (prompt hidden, a week); returns the link it shows.</summary>
    public async Task<string> ShareAsync()
    {
        await page.ClickAsync("[data-testid=image-share]");
        await page.ClickAsync("[data-testid=share-create]");
        var url = page.Locator("input[data-testid=share-url]");
        await url.WaitForAsync();
        return await url.InputValueAsync();
    }

    public async Task UseAgainAsync()
    {
        await page.ClickAsync("[data-testid=use-again]");
        await page.WaitForURLAsync("**/?again=*");
        await Browser.WaitForCircuitAsync(page);
    }
}

/// <summary>/spend.</summary>
public sealed class SpendPage(IPage page)
{
    public async Task OpenAsync()
    {
        await page.GotoAsync("/spend");
        await Browser.WaitForCircuitAsync(page);
    }
}

/// <summary>/s/{token}: the public page of a share link (static HTML, no circuit).</summary>
public sealed class SharedPage(IPage page)
{
    public ILocator Images => page.Locator("[data-testid=shared-image] img");
    public ILocator Heading => page.Locator("h1");

    /// <summary>Opens the link; returns the response (its headers are part of what a share promises).</summary>
    public async Task<IResponse> OpenAsync(string url)
    {
        var response = await page.GotoAsync(url) ?? throw new InvalidOperationException($"No response for {url}");
        return response;
    }

    public async Task WaitForImagesAsync()
    {
        await Images.First.WaitForAsync();
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=shared-image] img')].every(i => i.complete && i.naturalWidth > 0)");
    }
}
