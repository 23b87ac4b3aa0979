using Bunit;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Spend;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The gallery, image, spend and prices pages rendered with bUnit against the real app (real SQLite or PostgreSQL).</summary>
public sealed class GalleryAndSpendUiTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task The_gallery_shows_the_workspaces_images_newest_first_and_never_another_workspaces(DatabaseKind kind)
    {
        await using var team = await UiTeam.CreateAsync(kind: kind);
        var elsewhere = await team.App.CreateWorkspaceAsync(UiTeam.Member, "Marco's own");
        await team.FinishedAsync(UiTeam.Owner, "koala", "An old lighthouse", 1, null, at: TimeSpan.FromMinutes(1));
        await team.FinishedAsync(UiTeam.Owner, "coals", "A neon city", 2, 0.02m, at: TimeSpan.FromMinutes(2));
        await team.FinishedAsync(UiTeam.Member, "kolbo", "Marco's secret prototype", 4, null, workspaceId: elsewhere);
        await using var ui = await team.SignInAsync(UiTeam.Owner);

        var page = ui.Open<GalleryPage>();

        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("gallery-tile").Count));
        var tiles = page.AllByTestId("gallery-tile");
        Assert.Contains("A neon city", tiles[0].TextContent);
        Assert.Contains("An old lighthouse", tiles[1].TextContent);
        Assert.Contains("Coals · 2 cr ($0.02) · olivia@example.com", tiles[0].TextContent);
        Assert.DoesNotContain("Marco's secret prototype", page.Text);
    }

    [Fact]
    public async Task A_filter_in_the_url_narrows_the_gallery_and_an_empty_filter_says_what_to_do()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.FinishedAsync(UiTeam.Owner, "koala", "An old lighthouse", 1, null);
        await team.FinishedAsync(UiTeam.Owner, "coals", "A neon city", 2, 0.02m);
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var navigation = ui.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("/gallery?provider=koala");

        var page = ui.Open<GalleryPage>();

        page.WaitFor(() => Assert.Single(page.AllByTestId("gallery-tile")));
        Assert.Contains("An old lighthouse", page.ByTestId("gallery-tile").TextContent);
        Assert.EndsWith("/view?provider=koala", page.ByTestId("gallery-tile").GetAttribute("href")); // the image page keeps the view

        navigation.NavigateTo("/gallery?provider=kolbo");
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("gallery-empty")));
        Assert.Contains("No image matches these filters.", page.Text);

        page.Button("Show every image").Click();
        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("gallery-tile").Count));
        Assert.EndsWith("/gallery", navigation.Uri);
    }

    [Fact]
    public async Task An_empty_gallery_says_what_to_do_next()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);

        var page = ui.Open<GalleryPage>();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("gallery-empty")));
        Assert.Contains("No images yet.", page.Text);
        Assert.Equal("Compose something", page.Find("[data-testid=gallery-empty] a").TextContent.Trim());
    }

    [Fact]
    public async Task The_image_page_shows_human_labels_real_buttons_and_a_way_back()
    {
        await using var team = await UiTeam.CreateAsync();
        var images = await team.FinishedAsync(UiTeam.Owner, "koala", "A paper boat", 6, 0.03m, images: 2, model: "ideogram-3.0",
            optionsJson: """{"style":"photo","size":"1024x1024"}""");
        await using var ui = await team.SignInAsync(UiTeam.Member);

        var page = ui.Open<ImagePage>((nameof(ImagePage.ImageId), images[1]));

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("image-page")));
        Assert.Contains("A paper boat", page.ByTestId("image-prompt").TextContent);
        Assert.Equal("Ideogram 3.0", page.ByTestId("image-model").TextContent.Trim());
        page.Find("[data-testid=image-model] .mud-tooltip-root").PointerEnter();
        page.WaitFor(() => Assert.Contains("ideogram-3.0", page.Find(".mud-popover-provider").TextContent)); // the raw id, in the tooltip
        var options = page.AllByTestId("image-option").Select(r => r.QuerySelector("th")!.TextContent.Trim() + " " + r.QuerySelector("td")!.TextContent.Trim()).ToList();
        Assert.Equal(["Size 1024x1024", "Style photo"], options);
        Assert.Contains("6 credits (Koala) · $0.03 for 2 images", page.ByTestId("image-cost").TextContent);
        var useAgain = page.ByTestId("use-again");
        var download = page.ByTestId("download");
        Assert.Contains("mud-button", useAgain.ClassName);
        Assert.StartsWith("/?again=", useAgain.GetAttribute("href"));
        Assert.Contains("mud-button", download.ClassName);
        Assert.Equal($"/images/{images[1]}", download.GetAttribute("href"));
        Assert.NotNull(download.GetAttribute("download"));
        Assert.Equal("/gallery", page.ByTestId("back-to-gallery").GetAttribute("href"));
        Assert.Equal(2, page.Find("[data-testid=image-siblings]").QuerySelectorAll("a").Length);
    }

    [Fact]
    public async Task An_image_of_another_workspace_is_not_shown()
    {
        await using var team = await UiTeam.CreateAsync();
        var elsewhere = await team.App.CreateWorkspaceAsync(UiTeam.Member, "Marco's own");
        var images = await team.FinishedAsync(UiTeam.Member, "qolaba", "Marco's secret prototype", 6, 0.03m, workspaceId: elsewhere);
        await using var ui = await team.SignInAsync(UiTeam.Owner);

        var page = ui.Open<ImagePage>((nameof(ImagePage.ImageId), images[0]));

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("image-missing")));
        Assert.Contains("This image is not in your workspace", page.Text);
        Assert.DoesNotContain("Marco's secret prototype", page.Markup);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task The_spend_page_totals_this_months_settled_credits_per_provider_and_per_member(DatabaseKind kind)
    {
        await using var team = await UiTeam.CreateAsync(kind: kind);
        var elsewhere = await team.App.CreateWorkspaceAsync(UiTeam.Member, "Marco's own");
        await team.FinishedAsync(UiTeam.Owner, "coals", "one", 2, 0.02m);
        await team.FinishedAsync(UiTeam.Member, "coals", "two", 2, 0.02m, images: 2);
        await team.FinishedAsync(UiTeam.Member, "qolaba", "three", 6, 0.03m);
        await team.FinishedAsync(UiTeam.Member, "qolaba", "elsewhere", 600, 3m, workspaceId: elsewhere);
        await using var ui = await team.SignInAsync(UiTeam.Member);

        var page = ui.Open<SpendPage>();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("spend-providers")));
        Assert.Equal("May 2026", page.ByTestId("month").TextContent.Trim());
        var providers = Rows(page, "spend-providers");
        Assert.Contains("Coals | 4 | $0.04 | 3 | 2", providers);      // credits, USD, images, runs
        Assert.Contains("Qolaba | 6 | $0.03 | 1 | 1", providers);
        var members = Rows(page, "spend-members");
        Assert.Contains("marco@example.com | 2 Coals · 6 Qolaba | $0.05 | 3 | 2", members);
        Assert.Contains("olivia@example.com | 2 Coals | $0.02 | 1 | 1", members);
        Assert.Contains("$0.07", page.ByTestId("spend-totals").TextContent);
        Assert.DoesNotContain("600", page.Text);
        Assert.Empty(page.AllByTestId("prices-link")); // a member does not set prices
    }

    [Fact]
    public async Task A_month_without_spend_says_where_spend_comes_from_and_the_previous_month_is_one_click_away()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<SpendPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("spend-empty")));
        Assert.Contains("Nothing spent in May 2026", page.Text);
        Assert.True(page.ByTestId("month-next").HasAttribute("disabled"));
        Assert.NotEmpty(page.AllByTestId("prices-link"));

        page.ByTestId("month-previous").Click();

        page.WaitFor(() => Assert.Contains("Nothing spent in April 2026", page.Text));
        Assert.False(page.ByTestId("month-next").HasAttribute("disabled"));
    }

    [Fact]
    public async Task An_owner_sees_published_and_own_rates_and_saves_a_price()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        await team.AsAsync(UiTeam.Owner, sp => sp.GetRequiredService<PricingService>().SetUsdPerCreditAsync(ui.UserId, "kolbo", 0.0123m));
        var page = ui.Open<PricesPage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("usd-prices")));

        Assert.Equal("0.005", page.ByTestId("usd-qolaba").GetAttribute("value"));
        Assert.Equal("0.0123", page.ByTestId("usd-kolbo").GetAttribute("value"));
        Assert.Contains("published rate", page.Text);
        Assert.Contains("set here", page.Text);
        Assert.Equal("Ideogram 3.0", page.ByTestId("model-koala-ideogram-3.0").TextContent.Trim());

        page.ByTestId("usd-koala").Change("0.002");
        page.ByTestId("save-usd-koala").Click();

        page.WaitFor(() => Assert.Contains("Koala: $0.002 per credit saved.", page.Text));
        Assert.Single(page.FindAll(".mud-snackbar"));
        Assert.Equal(0.002m, await team.AsAsync(UiTeam.Owner, async sp => (await sp.GetRequiredService<PricingService>().ListAsync()).Single(p => p.ProviderId == "koala").UsdPerCredit));
    }

    /// <summary>The data grid's rows as "cell | cell | …".</summary>
    private static List<string> Rows<T>(PageView<T> page, string testId) where T : Microsoft.AspNetCore.Components.IComponent =>
        page.Find($"[data-testid={testId}]").QuerySelectorAll("tbody tr")
            .Select(r => string.Join(" | ", r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()))).ToList();
}
