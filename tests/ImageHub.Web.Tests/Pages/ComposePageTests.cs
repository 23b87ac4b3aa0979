using System.Net;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Keys;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Pages;

/// <summary>The compose page as the server renders it for a member (real app, real SQLite).</summary>
public sealed class ComposePageTests
{
    [Fact]
    public async Task Without_keys_the_composer_says_which_key_is_missing_and_links_to_Keys()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        using var ada = app.CreateBrowser();
        await ada.RegisterAsync("ada@example.com", Password);
        await app.CreateWorkspaceAsync("ada@example.com", "Ada's studio");

        var page = await ada.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Compose", page.Text);
        foreach (var chip in new[] { "chip-koala", "chip-qolaba", "chip-coals", "chip-kolbo" }) Assert.Contains($"data-testid=\"{chip}\"", page.Html);
        Assert.Contains("No usable Koala key", page.Text);
        Assert.Contains("href=\"keys\"", page.Html);
        Assert.Contains("Your results appear here", page.Text);
    }

    [Fact]
    public async Task In_sandbox_mode_the_composer_works_without_keys_and_the_sandbox_key_never_reaches_the_page()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "true",
            ["Jobs:Enabled"] = "false",
        });
        using var ada = app.CreateBrowser();
        await ada.RegisterAsync("ada@example.com", Password);
        await app.CreateWorkspaceAsync("ada@example.com", "Ada's studio");

        var page = await ada.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("data-testid=\"panel-koala\"", page.Html);
        Assert.DoesNotContain("No usable", page.Text);
        Assert.DoesNotContain(KeyResolver.SandboxSecret, page.Html);
    }
}
