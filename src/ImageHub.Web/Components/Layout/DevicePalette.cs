using System.Text;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace ImageHub.Web.Components.Layout;

/// <summary>
/// The CSS that turns a page dark when the device asks for it, before any circuit can (sign-in pages have none; the app's
/// pages learn the device's setting only once theirs is up). It is <see cref="MudThemeProvider"/>'s own output for
/// <see cref="AppTheme"/>: the variables whose dark value differs from the light one, inside
/// <c>@media (prefers-color-scheme: dark)</c>. Rendered once, on first use.
/// </summary>
public sealed class DevicePalette(IServiceScopeFactory scopes, ILoggerFactory loggers, ILogger<DevicePalette> logger)
{
    private readonly Lazy<Task<string>> css = new(async () =>
    {
        try
        {
            return await BuildAsync(scopes, loggers);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The pages stay light on a dark device: worse, but every page still renders.
            logger.LogWarning(e, "The dark palette for devices set to dark could not be built; pages without a circuit stay light.");
            return "";
        }
    });

    /// <summary>The CSS (empty if it could not be built).</summary>
    public Task<string> CssAsync() => css.Value;

    private static async Task<string> BuildAsync(IServiceScopeFactory scopes, ILoggerFactory loggers)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        var light = Variables(await RenderAsync(renderer, dark: false));
        var dark = Variables(await RenderAsync(renderer, dark: true));
        var differing = dark.Where(line => !light.Contains(line)).ToList();
        if (differing.Count == 0) throw new InvalidOperationException("MudThemeProvider wrote no dark variables: its output changed shape.");
        var text = new StringBuilder("@media (prefers-color-scheme: dark) {\n:root {\n");
        foreach (var line in differing) text.Append(line).Append('\n');
        return text.Append("}\n}\n").ToString();
    }

    private static Task<string> RenderAsync(HtmlRenderer renderer, bool dark) => renderer.Dispatcher.InvokeAsync(async () =>
    {
        var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(MudThemeProvider.Theme)] = AppTheme.Theme,
            [nameof(MudThemeProvider.IsDarkMode)] = dark,
        });
        return (await renderer.RenderComponentAsync<MudThemeProvider>(parameters)).ToHtmlString();
    });

    /// <summary>The <c>--name: value;</c> lines of the theme's <c>:root</c> block.</summary>
    private static HashSet<string> Variables(string html)
    {
        var start = html.IndexOf(":root{", StringComparison.Ordinal);
        var end = start < 0 ? -1 : html.IndexOf('}', start);
        if (end < 0) throw new InvalidOperationException("MudThemeProvider wrote no :root block: its output changed shape.");
        return html[(start + ":root{".Length)..end].Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
    }
}
