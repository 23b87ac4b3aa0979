using System.Net;
using System.Text.RegularExpressions;
using ImageHub.Providers;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageHub.Web.Tests.Pages;

/// <summary>Renders components to HTML with the framework's own HtmlRenderer (bUnit is not in the feed).</summary>
public static partial class Markup
{
    private static readonly Lazy<ServiceProvider> Services = new(() =>
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageHubProviders(new ConfigurationBuilder().Build());
        return services.BuildServiceProvider();
    });

    /// <summary>The real provider clients (configured defaults, no network: capabilities without a key).</summary>
    public static IProviderRegistry Providers => Services.Value.GetRequiredService<IProviderRegistry>();

    public static async Task<ProviderCapabilities> CapabilitiesAsync(string providerId) =>
        await Providers.Get(providerId).GetCapabilitiesAsync();

    public static async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(Services.Value, Services.Value.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });
    }

    /// <summary>The element with data-testid <paramref name="testId"/> (its opening tag up to the matching close for select/textarea, else the tag).</summary>
    public static string Element(string html, string testId)
    {
        var start = html.IndexOf($"data-testid=\"{testId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no element with data-testid={testId}");
        var open = html.LastIndexOf('<', start);
        var name = Regex.Match(html[(open + 1)..], "^[a-z]+").Value;
        var close = html.IndexOf($"</{name}>", start, StringComparison.Ordinal);
        var tagEnd = html.IndexOf('>', start);
        return close > 0 && name is "select" or "textarea" or "div" or "span" or "button" or "p" ? html[open..(close + name.Length + 3)] : html[open..(tagEnd + 1)];
    }

    /// <summary>The option values of a select.</summary>
    public static IReadOnlyList<string> OptionValues(string selectHtml) =>
        OptionValue().Matches(selectHtml).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    /// <summary>Text with tags stripped, entities decoded and whitespace collapsed.</summary>
    public static string Text(string html) =>
        Regex.Replace(WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", " ")), "\\s+", " ").Trim();

    [GeneratedRegex("<option value(?:=\"([^\"]*)\")?[ >]")]
    private static partial Regex OptionValue();
}
