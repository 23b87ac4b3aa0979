using Bunit;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Sharing;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The gallery's stars, selection and trash, the image page's keys and neighbours, and sharing, rendered with bUnit.</summary>
public sealed class GalleryUiTests
{
    [Fact]
    public async Task Starring_a_tile_and_deleting_a_selection_offer_undo_and_the_trash_restores()
    {
        await using var team = await UiTeam.CreateAsync();
        var older = await team.FinishedAsync(UiTeam.Owner, "koala", "An old lighthouse", 1, null, at: TimeSpan.FromMinutes(1));
        var newer = await team.FinishedAsync(UiTeam.Owner, "coals", "A neon city", 2, 0.02m, at: TimeSpan.FromMinutes(2));
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var page = ui.Open<GalleryPage>();
        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("gallery-tile").Count));

        page.Find("[data-testid=tile-star]").Click();
        page.WaitFor(() => Assert.Contains("mud-warning-text", page.Find("[data-testid=tile-star]").OuterHtml));
        var starred = await ui.Get<GalleryQuery>().PageAsync(new GalleryFilter(Starred: true), null, ui.UserId, cancellationToken: Xunit.TestContext.Current.CancellationToken);

        page.FindAll("input[data-testid=tile-select]")[1].Change(true);
        page.WaitFor(() => Assert.Equal("1 selected", page.ByTestId("selection-count").TextContent.Trim()));
        page.ByTestId("delete-selected").Click();
        page.WaitFor(() => Assert.Single(page.AllByTestId("gallery-tile")));
        Assert.Contains("Moved 1 image to the trash.", page.Text);
        Assert.Contains("Undo", page.Text);

        Assert.Equal(newer[0], Assert.Single(starred.Items).Image.Id);
        var trash = await ui.Get<GalleryQuery>().PageAsync(new GalleryFilter(Trash: true), null, ui.UserId, cancellationToken: Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(older[0], Assert.Single(trash.Items).Image.Id);
    }

    [Fact]
    public async Task Active_filters_show_as_chips_that_remove_themselves_and_the_filter_panel_opens_on_demand()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.FinishedAsync(UiTeam.Owner, "koala", "An old lighthouse", 1, null, at: TimeSpan.FromMinutes(1));
        await team.FinishedAsync(UiTeam.Owner, "coals", "A neon city", 2, 0.02m, at: TimeSpan.FromMinutes(2));
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var navigation = ui.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/gallery?provider=koala&q=lighthouse");
        var page = ui.Open<GalleryPage>();
        page.WaitFor(() => Assert.Single(page.AllByTestId("gallery-tile")));

        // The selects stay out of the page until asked for; the active filter is a chip, the search is in its field.
        Assert.Empty(page.AllByTestId("filter-panel"));
        Assert.Equal("lighthouse", page.Find("input[data-testid=filter-search]").GetAttribute("value"));
        var chip = Assert.Single(page.FindAll("[data-testid=filter-summary] .ih-chip"));
        Assert.Equal("Remove filter Provider: Koala", chip.GetAttribute("aria-label"));
        Assert.Equal("1", page.Find("[data-testid=filters-toggle] .ih-gbtn-count").TextContent.Trim());

        page.ByTestId("filters-toggle").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("filter-panel")));
        Assert.Equal("true", page.ByTestId("filters-toggle").GetAttribute("aria-expanded"));
        Assert.Contains("Provider", page.ByTestId("filter-panel").TextContent);

        page.Find("[data-testid=filter-summary] .ih-chip").Click();
        Assert.EndsWith("/gallery?q=lighthouse", navigation.Uri);
        page.ByTestId("filter-starred").Click();
        Assert.EndsWith("/gallery?q=lighthouse&starred=true", navigation.Uri);
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("gallery-empty")));
        Assert.Equal("true", page.ByTestId("filter-starred").GetAttribute("aria-pressed"));
        page.ByTestId("filter-clear").Click();
        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("gallery-tile").Count));
        Assert.EndsWith("/gallery", navigation.Uri);
    }

    [Fact]
    public async Task The_image_page_steps_through_the_current_filter_and_answers_its_keys()
    {
        await using var team = await UiTeam.CreateAsync();
        var first = await team.FinishedAsync(UiTeam.Owner, "koala", "First koala", 1, null, at: TimeSpan.FromMinutes(1));
        await team.FinishedAsync(UiTeam.Owner, "coals", "A coals image between them", 1, null, at: TimeSpan.FromMinutes(2));
        var second = await team.FinishedAsync(UiTeam.Owner, "koala", "Second koala", 1, null, at: TimeSpan.FromMinutes(3));
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var navigation = ui.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"/images/{second[0]}/view?provider=koala");

        var page = ui.Open<ImagePage>((nameof(ImagePage.ImageId), second[0]));

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("image-page")));
        Assert.Equal("/gallery?provider=koala", page.ByTestId("back-to-gallery").GetAttribute("href"));
        Assert.Equal($"/images/{first[0]}/view?provider=koala", page.ByTestId("image-next").GetAttribute("href")); // older, skipping the coals image
        Assert.Null(page.ByTestId("image-previous").GetAttribute("href"));
        Assert.Equal("Use all", page.ByTestId("use-again").TextContent.Trim());

        page.ByTestId("image-keys").KeyDown("s");
        page.WaitFor(() => Assert.Contains("mud-warning-text", page.Find("[data-testid=image-star]").OuterHtml));
        page.ByTestId("image-keys").KeyDown("ArrowRight");
        Assert.EndsWith($"/images/{first[0]}/view?provider=koala", navigation.Uri);
        page.ByTestId("image-keys").KeyDown("Escape");
        Assert.EndsWith("/gallery?provider=koala", navigation.Uri);
        page.ByTestId("image-keys").KeyDown("Delete");
        page.WaitFor(() => Assert.Contains("Moved to the trash.", page.Text));

        var state = await ui.Get<GalleryQuery>().ImageStateAsync(second[0], ui.UserId, Xunit.TestContext.Current.CancellationToken);
        Assert.True(state.Starred);
        Assert.NotNull(state.DeletedAt);
    }

    [Fact]
    public async Task Sharing_from_the_image_page_makes_a_link_the_links_page_lists_and_revokes()
    {
        await using var team = await UiTeam.CreateAsync();
        var image = await team.FinishedAsync(UiTeam.Owner, "koala", "A shared lighthouse", 1, null);
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var page = ui.Open<ImagePage>((nameof(ImagePage.ImageId), image[0]));
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("image-page")));

        page.ByTestId("image-share").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("share-dialog")));
        Assert.Contains("The prompt stays private", page.Text);
        page.Find("input[data-testid=share-password]").Change("short");
        page.ByTestId("share-create").Click();
        page.WaitFor(() => Assert.Contains("at least 8 characters", page.Text));
        page.Find("input[data-testid=share-password]").Change("");
        page.ByTestId("share-create").Click();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("share-url")));
        var url = page.Find("input[data-testid=share-url]").GetAttribute("value")!;
        Assert.Matches("/s/[A-Za-z0-9_-]{32}$", url);

        await using var owner = await team.SignInAsync(UiTeam.Owner); // another member, another circuit
        var links = owner.Open<SharesPage>();
        links.WaitFor(() => Assert.Single(links.AllByTestId("share-revoke")));
        Assert.Contains("1 image", links.Text);
        Assert.Contains("prompt hidden", links.Text);
        links.ByTestId("share-revoke").Click();
        links.WaitFor(() => Assert.Contains("Revoke this link?", links.Text));
        links.Button("Revoke").Click();
        links.WaitFor(() => Assert.NotEmpty(links.AllByTestId("share-revoked")));

        var revoked = await ui.Get<IDbContextFactory<AppDbContext>>().CreateDbContext().Set<ShareLink>().SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.NotNull(revoked.RevokedAt);
    }
}
