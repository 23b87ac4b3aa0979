using ImageHub.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Pages;

/// <summary>/gallery.</summary>
public sealed class GalleryPage(IPage page)
{
    public ILocator Tiles => page.Locator("[data-testid=gallery-tile]");
    public ILocator Empty => page.Locator("[data-testid=gallery-empty]");

    public async Task OpenAsync()
    {
        await page.GotoAsync("/gallery");
        await Browser.WaitForCircuitAsync(page);
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
