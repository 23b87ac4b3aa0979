using Bunit;
using Bunit.TestDoubles;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Features.Workspaces;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The key audit log and the /workspace entry page, rendered with bUnit against the real app.</summary>
public sealed class KeyAuditAndHomeUiTests
{
    [Fact]
    public async Task The_audit_log_lists_who_did_what_and_a_provider_filter_narrows_it()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.AddKeyAsync(UiTeam.Owner, "kolbo", "Studio Kolbo", "kolbo_live_studio_0000_ab12", KeyScope.Workspace);
        await team.AddKeyAsync(UiTeam.Member, "coals", "Marco Coals", "coals_marco_0000_cd34");
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<KeyAuditPage>();
        page.WaitFor(() => Assert.Equal(2, page.Find("[data-testid=audit-log]").QuerySelectorAll("tbody tr").Length));
        Assert.Contains("Kolbo \"Studio Kolbo\"", page.Text);
        Assert.Contains("marco@example.com", page.Text);
        Assert.DoesNotContain("kolbo_live_studio_0000_ab12", page.Markup);

        page.Find("[data-testid=audit-provider]").MouseDown();
        page.WaitFor(() => Assert.NotEmpty(page.FindAll(".mud-popover-open .mud-list-item")));
        page.FindAll(".mud-popover-open .mud-list-item").Single(i => i.TextContent.Trim() == "Coals").Click();

        page.WaitFor(() => Assert.Single(page.Find("[data-testid=audit-log]").QuerySelectorAll("tbody tr")));
        Assert.Contains("Coals \"Marco Coals\"", page.Find("[data-testid=audit-log] tbody").TextContent);
    }

    [Fact]
    public async Task Filters_that_match_nothing_say_so()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);

        var page = ui.Open<KeyAuditPage>();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("audit-empty")));
        Assert.Contains("Nothing happened to a key yet.", page.ByTestId("audit-empty").TextContent);
    }

    [Fact]
    public async Task The_workspace_entry_page_opens_the_current_workspace()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var navigation = ui.Services.GetRequiredService<BunitNavigationManager>();

        ui.Open<WorkspaceHome>();

        Assert.EndsWith($"/workspaces/{team.WorkspaceId}", navigation.Uri);
    }

    [Fact]
    public async Task Without_a_workspace_the_keys_page_says_how_to_get_one()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member, inWorkspace: false);

        var page = ui.Open<KeysPage>();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("no-workspace")));
        Assert.Empty(page.AllByTestId("my-keys"));
    }
}
