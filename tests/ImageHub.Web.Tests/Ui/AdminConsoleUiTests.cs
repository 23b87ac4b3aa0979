using AngleSharp.Dom;
using Bunit;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Admin;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The instance admin console (/admin) rendered with bUnit against the real app's services and database.</summary>
public sealed class AdminConsoleUiTests
{
    private static IElement RowOf(PageView<AdminPage> page, string email) =>
        page.FindAll("[data-testid=users] tr").First(r => r.QuerySelector("[data-testid=user-email]")?.TextContent == email);

    private static IElement Input(PageView<AdminPage> page, string testId) =>
        page.ByTestId(testId) is { TagName: "INPUT" } input ? input : page.ByTestId(testId).QuerySelector("input")!;

    [Fact]
    public async Task Disabling_an_account_asks_first_then_shows_it_disabled_and_writes_the_audit_log()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<AdminPage>();
        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("user-email").Count));
        Assert.Contains("Nothing yet", page.ByTestId("admin-audit").TextContent);

        RowOf(page, UiTeam.Member).QuerySelector("[data-testid=user-disable-toggle]")!.Click();
        page.WaitFor(() => Assert.Contains("signed out everywhere at once", page.Text));
        page.Button("Disable").Click();

        page.WaitFor(() => Assert.Equal("Disabled", RowOf(page, UiTeam.Member).QuerySelector("[data-testid=user-status]")!.TextContent.Trim()));
        Assert.Contains($"{UiTeam.Member} is disabled", page.Text);
        Assert.Equal(["Disabled account"], page.AllByTestId("audit-action").Select(a => a.TextContent.Trim()));
        Assert.Contains($"Disabled account: {UiTeam.Member}", page.ByTestId("admin-audit").TextContent);
        Assert.NotNull((await ui.Get<UserManager<AppUser>>().FindByEmailAsync(UiTeam.Member))!.DisabledAt);
    }

    [Fact]
    public async Task An_administrator_cannot_disable_or_delete_themselves_and_demoting_the_last_one_says_why_not()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<AdminPage>();
        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("user-email").Count));
        var mine = RowOf(page, UiTeam.Owner);

        Assert.True(mine.QuerySelector("[data-testid=user-disable-toggle]")!.HasAttribute("disabled"));
        Assert.True(mine.QuerySelector("[data-testid=user-delete]")!.HasAttribute("disabled"));
        mine.QuerySelector("[data-testid=user-admin-toggle]")!.Click();
        page.WaitFor(() => Assert.Contains("You will lose this page at once", page.Text));
        page.Button("Remove rights").Click();

        page.WaitFor(() => Assert.Contains(AdminService.LastAdminMessage, page.Text));
        Assert.Equal("Administrator", RowOf(page, UiTeam.Owner).QuerySelector("[data-testid=user-role]")!.TextContent.Trim());
    }

    [Fact]
    public async Task Promoting_a_member_shows_them_as_administrator_and_searching_narrows_both_lists()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<AdminPage>();
        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("user-email").Count));

        RowOf(page, UiTeam.Member).QuerySelector("[data-testid=user-admin-toggle]")!.Click();
        page.WaitFor(() => Assert.Equal("Administrator", RowOf(page, UiTeam.Member).QuerySelector("[data-testid=user-role]")!.TextContent.Trim()));
        Input(page, "users-search").Change("marco");
        page.WaitFor(() => Assert.Equal([UiTeam.Member], page.AllByTestId("user-email").Select(e => e.TextContent)));
        Input(page, "workspaces-search").Change("nothing like it");
        page.WaitFor(() => Assert.Contains("No workspace's name contains \"nothing like it\".", page.Text));

        Assert.Contains("(1)", page.ByTestId("users-total").TextContent);
        Assert.Contains($"Made administrator: {UiTeam.Member}", page.ByTestId("admin-audit").TextContent);
        Assert.True((await ui.Get<UserManager<AppUser>>().FindByEmailAsync(UiTeam.Member))!.IsInstanceAdmin);
    }

    [Fact]
    public async Task The_workspace_list_shows_members_and_owners()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<AdminPage>();
        page.WaitFor(() => Assert.Single(page.AllByTestId("workspace-name")));

        var row = page.FindAll("[data-testid=workspace-list] tr").First(r => r.QuerySelector("[data-testid=workspace-name]") is not null);
        Assert.Contains(UiTeam.WorkspaceName, row.TextContent);
        Assert.Contains(UiTeam.Owner, row.TextContent);
        Assert.DoesNotContain(UiTeam.Member, row.TextContent);
        Assert.Contains("2", row.QuerySelectorAll("td")[1].TextContent);
    }
}
