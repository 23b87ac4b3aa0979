using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Infrastructure;

/// <summary>axe-core (Deque.AxeCore.Playwright) on the page as it is now.</summary>
public static class Accessibility
{
    /// <summary>The serious and critical violations, one line each ("color-contrast (serious) on 3 elements: .mud-chip ...").</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}) on {v.Nodes.Length} element(s): {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html.Length > 160 ? n.Html[..160] : n.Html))}")
            .ToList();
    }
}
