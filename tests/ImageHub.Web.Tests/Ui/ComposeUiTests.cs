using AngleSharp.Dom;
using Bunit;
using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Compose;
using ImageHub.Web.Features.Jobs;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The composer rendered with bUnit against the real app (sandbox providers, no worker: runs stay queued).</summary>
public sealed class ComposeUiTests
{
    [Fact]
    public async Task Typing_a_prompt_counts_its_characters_against_the_chosen_providers_smallest_limit()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = await OpenAsync(ui);

        page.ByTestId("prompt").Input("A lighthouse at dawn, watercolor");
        page.WaitFor(() => Assert.Equal("32 / 4,000 characters", page.ByTestId("prompt-counter").TextContent));
        Toggle(page, "coals");

        page.WaitFor(() => Assert.Equal("32 / 2,000 characters (limit set by Coals)", page.ByTestId("prompt-counter").TextContent));
    }

    [Fact]
    public async Task An_empty_prompt_is_one_message_beside_the_prompt_and_nothing_is_queued()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = await OpenAsync(ui);

        page.ByTestId("run").Click();

        page.WaitFor(() => Assert.Contains("Write a prompt.", page.Text));
        var prompt = page.ByTestId("prompt").Closest(".mud-input-control")!;
        Assert.Contains("Write a prompt.", prompt.TextContent);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page.Text, @"Write a prompt\."));
        Assert.DoesNotContain("needs a prompt", page.Text);
        Assert.Equal(0, await QueuedAsync(team));
    }

    [Fact]
    public async Task A_second_provider_turns_on_compare_with_one_shape_for_all_and_compact_panels()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = await OpenAsync(ui);

        Toggle(page, "coals");
        Pick(page, "shared-shape", "16:9");

        Assert.Contains("the prompt goes to all 2", page.ByTestId("compare-note").TextContent);
        Assert.Equal("true", page.ByTestId("chip-coals").GetAttribute("aria-pressed"));
        Assert.Contains("1344 × 768", page.ByTestId("summary-koala").TextContent);
        Assert.Contains("Width 1024", page.ByTestId("summary-coals").TextContent);
        Assert.Contains("Height 576", page.ByTestId("summary-coals").TextContent);
        Assert.Contains("≈ 2 credits", page.ByTestId("estimate-coals").TextContent);
        Assert.All(page.FindAll(".ih-provider-panel"), panel => Assert.DoesNotContain("mud-panel-expanded", panel.ClassName));
    }

    [Fact]
    public async Task Koala_style_offers_exactly_the_documented_values_with_human_labels_and_the_raw_value_in_a_tooltip()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = await OpenAsync(ui);

        var items = Open(page, "opt-koala-style");

        Assert.Equal(["Default (Photo)", "Photo", "Illustration", "Watercolor", "Fantasy", "Anime", "3d", "Isometric", "None"],
            items.Select(i => i.TextContent.Trim()));
        Assert.Contains(page.FindAll("[title=watercolor]"), e => e.TextContent.Contains("Watercolor"));
        Assert.Empty(page.FindAll("[data-testid=opt-koala-aspect_ratio]"));
        Assert.Empty(page.FindAll("[data-testid=opt-koala-width]"));
    }

    [Fact]
    public async Task Picking_a_value_shows_it_in_the_panel_header_as_text()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = await OpenAsync(ui);

        Pick(page, "opt-koala-style", "Watercolor");
        page.ByTestId("num-koala").Change("2");

        page.WaitFor(() => Assert.Equal("Default (Standard) · 2 images · Watercolor", page.ByTestId("summary-koala").TextContent));
        Assert.Equal("≈ 2 credits", page.ByTestId("estimate-koala").TextContent);
    }

    [Fact]
    public async Task Kolbo_starts_on_Smart_Select_and_its_enhance_prompt_switch_starts_on()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = await OpenAsync(ui);

        Toggle(page, "koala");
        Toggle(page, "kolbo");

        Assert.Equal("Automatic (Smart Select)", page.ByTestId("model-kolbo").GetAttribute("value"));
        Assert.Contains("Smart Select: Kolbo reports the price", page.ByTestId("estimate-kolbo").TextContent);
        Assert.True(page.Find("[data-testid=field-kolbo-enhance_prompt] input[type=checkbox]").HasAttribute("checked"));
    }

    [Fact]
    public async Task A_width_out_of_range_is_explained_beside_the_field_and_the_run_queues_nothing()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = await OpenAsync(ui);
        Toggle(page, "koala");
        Toggle(page, "coals");
        page.ByTestId("prompt").Input("A tiny house");

        page.ByTestId("opt-coals-width").Change("5000");
        var atOnce = page.Find("[data-testid=field-coals-width]").TextContent;
        page.ByTestId("run").Click();

        Assert.Contains("Width must be between 256 and 2048.", atOnce);
        page.WaitFor(() => Assert.Contains("2048", page.Find("[data-testid=field-coals-width] .mud-input-error").TextContent));
        Assert.Equal(0, await QueuedAsync(team));
    }

    [Fact]
    public async Task Ctrl_Enter_in_the_prompt_queues_the_run_and_its_card_appears()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = await OpenAsync(ui);
        page.ByTestId("prompt").Input("A quiet harbour at night");

        page.ByTestId("prompt").KeyDown(new KeyboardEventArgs { Key = "Enter", CtrlKey = true });

        page.WaitFor(() => Assert.Single(page.AllByTestId("single-run")));
        Assert.Equal("Queued", page.Find("[data-testid=result-koala] [data-testid=status]").TextContent.Trim());
        Assert.Contains("A quiet harbour at night", page.ByTestId("single-run").TextContent);
        Assert.Equal(1, await QueuedAsync(team));
    }

    [Fact]
    public async Task After_a_reload_recent_compare_runs_come_back_whole_and_in_provider_order()
    {
        await using var team = await UiTeam.CreateAsync();
        await SubmitAsync(team, "First compare", ProviderIds.Kolbo, ProviderIds.Coals, ProviderIds.Qolaba, ProviderIds.Koala);
        await SubmitAsync(team, "Second compare", ProviderIds.Coals, ProviderIds.Koala, ProviderIds.Kolbo, ProviderIds.Qolaba);
        await SubmitAsync(team, "A single one", ProviderIds.Kolbo);
        await using var ui = await team.SignInAsync(UiTeam.Owner);

        var page = await OpenAsync(ui);

        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("compare-run").Count));
        var runs = page.FindAll("[data-testid=compare-run], [data-testid=single-run]");
        Assert.Equal(["A single one", "Second compare", "First compare"], runs.Select(r => r.QuerySelector(".ih-run-prompt")!.TextContent.Trim()));
        foreach (var compare in page.AllByTestId("compare-run"))
        {
            Assert.Equal(["result-koala", "result-qolaba", "result-coals", "result-kolbo"],
                compare.QuerySelectorAll(".ih-result").Select(c => c.GetAttribute("data-testid")));
        }
    }

    [Fact]
    public async Task Someone_without_a_workspace_is_told_how_to_get_one_instead_of_a_composer()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner, inWorkspace: false);

        var page = ui.Open<ComposePage>();

        Assert.Contains("You are not in a workspace yet", page.ByTestId("no-workspace").TextContent);
        Assert.Equal("/workspaces/new", page.ByTestId("create-workspace").GetAttribute("href"));
        Assert.Empty(page.AllByTestId("composer"));
    }

    private static async Task<PageView<ComposePage>> OpenAsync(UiContext ui)
    {
        var page = ui.Open<ComposePage>();
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("composer")));
        return page;
    }

    /// <summary>Clicks a provider chip and waits for the composer to follow.</summary>
    private static void Toggle(PageView<ComposePage> page, string providerId)
    {
        var was = page.ByTestId($"chip-{providerId}").GetAttribute("aria-pressed");
        page.ByTestId($"chip-{providerId}").Click();
        page.WaitFor(() => Assert.NotEqual(was, page.ByTestId($"chip-{providerId}").GetAttribute("aria-pressed")));
        page.WaitFor(() => Assert.Equal(was == "true", page.AllByTestId($"panel-{providerId}").Count == 0));
    }

    /// <summary>Opens the select whose input has <paramref name="testId"/> and returns its options.</summary>
    private static IReadOnlyList<IElement> Open<T>(PageView<T> page, string testId) where T : Microsoft.AspNetCore.Components.IComponent
    {
        page.ByTestId(testId).Closest(".mud-input-control")!.MouseDown();
        IReadOnlyList<IElement> items = [];
        page.WaitFor(() => Assert.NotEmpty(items = page.FindAll(".mud-popover-open .mud-list-item")));
        return items;
    }

    private static void Pick<T>(PageView<T> page, string testId, string text) where T : Microsoft.AspNetCore.Components.IComponent
    {
        Open(page, testId).First(i => i.TextContent.Trim() == text).Click();
    }

    private static async Task SubmitAsync(UiTeam team, string prompt, params string[] providers)
    {
        var userId = await team.App.UserIdAsync(UiTeam.Owner);
        var outcome = await team.AsAsync(UiTeam.Owner, sp => sp.GetRequiredService<GenerationService>()
            .SubmitAsync(userId, new GenerationDraft(prompt, providers.Select(p => new ProviderRun(p, p == ProviderIds.Qolaba ? "vertex/imagen-4" : null, 1, null)).ToList()), default));
        Assert.True(outcome.Succeeded, outcome.Message);
    }

    private static Task<int> QueuedAsync(UiTeam team) =>
        team.AsAsync(UiTeam.Owner, async sp =>
        {
            await using var db = await sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
            return await db.Set<Generation>().CountAsync();
        });
}
