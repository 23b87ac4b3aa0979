using Bunit;
using ImageHub.Web.Components.Layout;
using ImageHub.Web.Components.Shared;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Compose;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Jobs;
using ImageHub.Providers;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The shell (app bar, account menu, workspace switcher, drawer) and the shared components, with bUnit against the real app.</summary>
public sealed class ShellUiTests
{
    private static RenderFragment Body => b => b.AddContent(0, "page body");

    /// <summary>The layout as a circuit renders it (interactive on the server), around a stand-in page.</summary>
    private static IRenderedComponent<MainLayout> Layout(UiContext ui)
    {
        ui.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return ui.Render<MainLayout>(p => p.Add(l => l.Body, Body));
    }

    [Fact]
    public async Task The_account_menu_is_one_icon_holding_tokens_password_theme_and_log_out()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var layout = Layout(ui);

        layout.Find("[data-testid=account-menu] button").Click();

        layout.WaitForAssertion(() => Assert.NotEmpty(layout.FindAll("[data-testid=menu-tokens]")));
        Assert.Equal("settings/tokens", layout.Find("[data-testid=menu-tokens]").GetAttribute("href"));
        Assert.Equal("Account/Manage/ChangePassword", layout.Find("[data-testid=menu-password]").GetAttribute("href"));
        Assert.Equal(UiTeam.Member, layout.Find("[data-testid=account-email]").TextContent.Trim());
        Assert.Equal(["Light theme", "Dark theme", "Theme of the device"], layout.FindAll("[role=menuitemradio]").Select(i => i.TextContent.Trim()));
        Assert.Contains("Log out", layout.Find("[data-testid=logout]").TextContent);
        var logout = layout.Find("form#logout-form");
        Assert.Equal("post", logout.GetAttribute("method"));
        Assert.Equal("Account/Logout", logout.GetAttribute("action"));
        Assert.Equal($"Account menu ({UiTeam.Member})", layout.Find("[data-testid=account-menu] button").GetAttribute("aria-label"));
    }

    [Fact]
    public async Task Choosing_dark_in_the_account_menu_darkens_the_page_and_is_remembered_for_the_account()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var layout = Layout(ui);
        var before = layout.Find("main").GetAttribute("data-theme");

        layout.Find("[data-testid=account-menu] button").Click();
        layout.WaitForAssertion(() => Assert.NotEmpty(layout.FindAll("[data-testid=theme-dark]")));
        layout.Find("[data-testid=theme-dark]").Click();

        layout.WaitForAssertion(() => Assert.Equal("dark", layout.Find("main").GetAttribute("data-theme")));
        Assert.Equal("light", before); // a new account follows the system, which reads light here
        Assert.Equal(UiTheme.Dark, await ui.Get<AccountService>().GetThemeAsync(ui.UserId, Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Following_the_device_the_first_paint_carries_the_dark_palette_for_a_dark_device_and_a_chosen_theme_does_not()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var layout = Layout(ui);
        string DevicePalette() => string.Join("\n", layout.FindAll("style").Select(s => s.TextContent).Where(t => t.Contains("prefers-color-scheme: dark", StringComparison.Ordinal)));
        var following = DevicePalette();

        layout.Find("[data-testid=account-menu] button").Click();
        layout.WaitForAssertion(() => Assert.NotEmpty(layout.FindAll("[data-testid=theme-light]")));
        layout.Find("[data-testid=theme-light]").Click();

        // The dark values are MudBlazor's own for AppTheme's dark palette, e.g. its background.
        Assert.Contains($"--mud-palette-background: {AppTheme.Theme.PaletteDark.Background}", following);
        Assert.DoesNotContain("--mud-typography", following); // only what differs from the light theme
        layout.WaitForAssertion(() => Assert.Empty(DevicePalette()));
    }

    [Fact]
    public async Task A_saved_dark_theme_is_there_on_the_next_visit_and_System_follows_the_device()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        await ui.Get<AccountService>().SetThemeAsync(ui.UserId, UiTheme.Dark, Xunit.TestContext.Current.CancellationToken);

        var layout = Layout(ui);
        var saved = layout.Find("main").GetAttribute("data-theme");
        layout.Find("[data-testid=account-menu] button").Click();
        layout.WaitForAssertion(() => Assert.NotEmpty(layout.FindAll("[data-testid=theme-system]")));
        layout.Find("[data-testid=theme-system]").Click();

        Assert.Equal("dark", saved);
        layout.WaitForAssertion(() => Assert.Equal("light", layout.Find("main").GetAttribute("data-theme")));
        Assert.Equal(UiTheme.System, await ui.Get<AccountService>().GetThemeAsync(ui.UserId, Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_drawer_offers_Admin_to_the_instance_administrator_only()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var owner = await team.SignInAsync(UiTeam.Owner);
        await using var member = await team.SignInAsync(UiTeam.Member);

        var ownerNav = Layout(owner).Find("[data-testid=nav-menu]").TextContent;
        var memberNav = Layout(member).Find("[data-testid=nav-menu]").TextContent;

        foreach (var item in new[] { "Compose", "Gallery", "Spend", "Keys", "Workspace" })
        {
            Assert.Contains(item, ownerNav);
            Assert.Contains(item, memberNav);
        }
        Assert.Contains("Admin", ownerNav);
        Assert.DoesNotContain("Admin", memberNav);
    }

    [Fact]
    public async Task The_drawers_Workspace_item_leads_straight_to_the_current_workspace_and_to_the_chooser_without_one()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var member = await team.SignInAsync(UiTeam.Member);
        await using var newcomer = await team.SignInAsync(UiTeam.Member, inWorkspace: false);

        var inWorkspace = Layout(member).Find("[data-testid=nav-workspace] a, a[data-testid=nav-workspace]").GetAttribute("href");
        var withoutOne = Layout(newcomer).Find("[data-testid=nav-workspace] a, a[data-testid=nav-workspace]").GetAttribute("href");

        Assert.Equal($"workspaces/{team.WorkspaceId}", inWorkspace);
        Assert.Equal("workspace", withoutOne);
    }

    [Fact]
    public async Task The_menu_button_closes_and_reopens_the_navigation_drawer()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var layout = Layout(ui);
        var toggle = () => layout.Find("[data-testid=nav-toggle]");

        var before = layout.Find(".mud-drawer").ClassList.Contains("mud-drawer--open");
        toggle().Click();
        var afterOne = layout.Find(".mud-drawer").ClassList.Contains("mud-drawer--open");
        var label = toggle().GetAttribute("aria-label");
        toggle().Click();
        var afterTwo = layout.Find(".mud-drawer").ClassList.Contains("mud-drawer--open");

        Assert.NotEqual(before, afterOne);
        Assert.Equal(afterOne ? "Close navigation" : "Open navigation", label);
        Assert.Equal(before, afterTwo);
    }

    [Fact]
    public async Task The_workspace_switcher_lists_the_members_workspaces_marks_the_current_one_and_offers_a_new_one()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.App.CreateWorkspaceAsync(UiTeam.Owner, "Side Project");
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var switcher = ui.Open<WorkspaceSwitcher>();

        var current = switcher.Find("[data-testid=workspace-switcher] button").TextContent.Trim();
        switcher.Find("[data-testid=workspace-switcher] button").Click();

        switcher.WaitFor(() => Assert.NotEmpty(switcher.AllByTestId("workspace-option")));
        var options = switcher.AllByTestId("workspace-option");
        Assert.Equal(UiTeam.WorkspaceName, current);
        Assert.Equal(["Side Project", UiTeam.WorkspaceName], options.Select(o => o.TextContent.Trim()).Order());
        Assert.Single(options, o => o.GetAttribute("aria-current") == "true" && o.TextContent.Contains(UiTeam.WorkspaceName));
        Assert.Equal("workspaces/new", switcher.ByTestId("workspace-new").GetAttribute("href"));
    }

    [Fact]
    public async Task A_page_that_needs_a_workspace_shows_its_content_inside_one()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);

        var view = ui.Render<RequireWorkspace>(p => p.Add(r => r.ChildContent, (RenderFragment)(b => b.AddContent(0, "workspace content"))));

        Assert.Contains("workspace content", view.Markup);
        Assert.DoesNotContain("You are not in a workspace yet", view.Markup);
    }

    [Fact]
    public async Task A_running_card_shows_progress_and_its_cancel_button_cancels_that_generation()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        Guid? canceled = null;
        var card = Card(GenerationStatus.Running, progress: 40);

        var view = ui.Render<ResultCard>(p => p.Add(c => c.Card, card).Add(c => c.OnCancel, (Guid id) => canceled = id));
        view.Find("[data-testid=cancel]").Click();

        Assert.Equal("Running 40%", view.Find("[data-testid=status]").TextContent.Trim());
        Assert.Equal("40", view.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
        Assert.Contains("≈ 5 credits", view.Find("[data-testid=credits]").TextContent);
        Assert.Empty(view.FindAll("[data-testid=result-image]"));
        Assert.Equal(card.Id, canceled);
    }

    [Fact]
    public async Task A_finished_card_names_the_model_in_words_keeps_the_id_in_its_tooltip_and_links_each_image()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var image = new ImageTile(Guid.CreateVersion7(), Guid.Empty, 1024, 768, "image/png");
        var card = Card(GenerationStatus.Succeeded, credits: 6, usd: 0.03m, images: [image]);

        var view = ui.Render<ResultCard>(p => p.Add(c => c.Card, card)
            .Add(c => c.ModelName, (Func<string, string, string?>)((provider, model) => provider == ProviderIds.Qolaba && model == card.Model ? "Imagen 4" : null)));

        Assert.Equal("Imagen 4", view.Find("[data-testid=model]").TextContent);
        Assert.Equal(card.Model, view.Find("[data-testid=model]").GetAttribute("title"));
        Assert.Equal($"/images/{image.Id}/view", view.Find("[data-testid=result-image]").GetAttribute("href"));
        Assert.Equal("6 credits", view.Find("[data-testid=credits]").TextContent);
        Assert.Equal("$0.03", view.Find("[data-testid=usd]").TextContent);
        Assert.Equal("12.5 s", view.Find("[data-testid=seconds]").TextContent);
        Assert.Empty(view.FindAll("[data-testid=cancel]"));
        Assert.Empty(view.FindAll("[role=progressbar]"));
    }

    [Fact]
    public async Task A_failed_card_says_why_in_the_providers_words()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var card = Card(GenerationStatus.Failed, error: "Qolaba says the balance is too low (402). Top up at Qolaba; nothing was charged.");

        var view = ui.Render<ResultCard>(p => p.Add(c => c.Card, card));

        Assert.Equal("Failed", view.Find("[data-testid=status]").TextContent.Trim());
        Assert.Contains("balance is too low", view.Find("[data-testid=error]").TextContent);
        Assert.Equal("nothing charged", view.Find("[data-testid=credits]").TextContent);
    }

    private static GenerationCard Card(GenerationStatus status, int? progress = null, decimal? credits = null, decimal? usd = null,
        IReadOnlyList<ImageTile>? images = null, string? error = null)
    {
        var created = new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);
        return new GenerationCard(Guid.CreateVersion7(), null, ProviderIds.Qolaba, "vertex/imagen-4.0-generate-preview-06-06-with-a-long-id", "A lighthouse", 1, "{}",
            status, progress, error, EstimatedCredits: 5, credits, usd, "Team key", "ada@example.com", created, created.AddSeconds(1),
            status.IsFinal() ? created.AddSeconds(12.5) : null, images ?? []);
    }
}
