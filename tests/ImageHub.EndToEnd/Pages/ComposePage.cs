using ImageHub.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Pages;

/// <summary>The composer (/) and its result cards.</summary>
public sealed class ComposePage(IPage page)
{
    public ILocator Prompt => page.Locator("[data-testid=prompt]");
    public ILocator Counter => page.Locator("[data-testid=prompt-counter]");
    public ILocator EmptyResults => page.Locator("[data-testid=results-empty]");
    public ILocator RunButton => page.Locator("[data-testid=run]");
    public ILocator CompareRuns => page.Locator("[data-testid=compare-run]");
    public ILocator Cards => page.Locator(".ih-result");
    public ILocator NoWorkspace => page.Locator("[data-testid=no-workspace]");

    public async Task OpenAsync(string path = "/")
    {
        await page.GotoAsync(path);
        await Browser.WaitForCircuitAsync(page);
    }

    public Task WriteAsync(string prompt) => Prompt.FillAsync(prompt);

    /// <summary>Clicks a provider chip and waits for its panel to come or go.</summary>
    public async Task ToggleAsync(string provider)
    {
        var wasOn = await page.Locator($"[data-testid=chip-{provider}]").GetAttributeAsync("aria-pressed") == "true";
        await page.ClickAsync($"[data-testid=chip-{provider}]");
        await page.Locator($"[data-testid=panel-{provider}]").WaitForAsync(new() { State = wasOn ? WaitForSelectorState.Detached : WaitForSelectorState.Attached });
    }

    /// <summary>Opens a provider's option panel if it is closed.</summary>
    public async Task OpenPanelAsync(string provider)
    {
        var panel = page.Locator($"[data-testid=panel-{provider}]");
        if (!(await panel.GetAttributeAsync("class") ?? "").Contains("mud-panel-expanded", StringComparison.Ordinal))
        {
            await panel.Locator(".mud-expand-panel-header").ClickAsync();
        }
        await panel.Locator(".mud-expand-panel-content").WaitForAsync();
    }

    /// <summary>Picks <paramref name="text"/> in the select whose input has data-testid <paramref name="testId"/>.</summary>
    public async Task PickAsync(string testId, string text)
    {
        await page.ClickAsync($"[data-testid={testId}]");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^\\s*{System.Text.RegularExpressions.Regex.Escape(text)}\\s*$") }).ClickAsync();
        await page.WaitForFunctionAsync("([id, text]) => { const e = document.querySelector(`[data-testid='${id}']`); return e && (e.value ?? e.textContent).trim() === text; }",
            new[] { testId, text });
    }

    /// <summary>What a field shows: an input's value, or the text a select shows in place of its input.</summary>
    public Task<string> ValueOfAsync(string testId) =>
        page.Locator($"[data-testid={testId}]").EvaluateAsync<string>("e => (e.value ?? e.textContent).trim()");

    public Task PickOptionAsync(string provider, string option, string text) => PickAsync($"opt-{provider}-{option}", text);

    public ILocator Option(string provider, string option) => page.Locator($"[data-testid=opt-{provider}-{option}]");

    public ILocator Summary(string provider) => page.Locator($"[data-testid=summary-{provider}]");

    public ILocator Estimate(string provider) => page.Locator($"[data-testid=estimate-{provider}]");

    public ILocator FieldError(string provider, string field) => page.Locator($"[data-testid=field-{provider}-{field}] .mud-input-helper-text.mud-input-error");

    public async Task TypeOptionAsync(string provider, string option, string value)
    {
        await Option(provider, option).FillAsync(value);
        await Option(provider, option).BlurAsync();
    }

    public Task RunAsync() => RunButton.ClickAsync();

    public Task RunWithKeyboardAsync() => Prompt.PressAsync("Control+Enter");

    public ILocator Card(string provider, string? status = null) =>
        page.Locator(status is null ? $"[data-testid=result-{provider}]" : $"[data-testid=result-{provider}][data-status={status}]");

    /// <summary>The first image of a provider's finished card, once it has loaded.</summary>
    public async Task<ILocator> WaitForImageAsync(string provider, string scope = "")
    {
        var image = page.Locator($"{scope} [data-testid=result-{provider}][data-status=Succeeded] [data-testid=result-image] img".Trim()).First;
        await image.WaitForAsync();
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await image.ElementHandleAsync());
        return image;
    }
}
