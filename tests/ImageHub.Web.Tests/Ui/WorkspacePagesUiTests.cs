using Bunit;
using Bunit.TestDoubles;
using ImageHub.Web.Features.Admin;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The workspace, settings, create-workspace and admin pages rendered with bUnit against the real app.</summary>
public sealed class WorkspacePagesUiTests
{
    [Fact]
    public async Task A_member_sees_the_members_and_their_role_but_no_way_to_the_settings()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);

        var page = ui.Open<WorkspacePage>((nameof(WorkspacePage.WorkspaceId), team.WorkspaceId));

        page.WaitFor(() => Assert.Contains(UiTeam.Owner, page.Text));
        Assert.Contains(UiTeam.Member, page.Text);
        Assert.Equal("Your role: Member", page.ByTestId("my-role").TextContent.Trim());
        Assert.Empty(page.AllByTestId("open-settings"));
        Assert.Equal("/workspaces/new", page.ByTestId("new-workspace").GetAttribute("href"));
    }

    [Fact]
    public async Task An_owner_opens_the_settings_from_the_workspace_page()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);

        var page = ui.Open<WorkspacePage>((nameof(WorkspacePage.WorkspaceId), team.WorkspaceId));

        page.WaitFor(() => Assert.Contains(UiTeam.Member, page.Text));
        Assert.Equal($"/workspaces/{team.WorkspaceId}/settings", page.ByTestId("open-settings").GetAttribute("href"));
    }

    [Fact]
    public async Task Removing_a_member_asks_first_and_only_removes_after_confirming()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<WorkspaceSettingsPage>((nameof(WorkspaceSettingsPage.WorkspaceId), team.WorkspaceId));
        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("member-remove").Count));
        var removeMarco = page.FindAll("[data-testid=member-remove]").Single(b => b.GetAttribute("aria-label") == $"Remove {UiTeam.Member}");

        removeMarco.Click();
        page.WaitFor(() => Assert.Contains($"Remove {UiTeam.Member} from this workspace?", page.Text));
        page.Button("Cancel").Click();
        page.WaitFor(() => Assert.DoesNotContain("from this workspace?", page.Text));
        Assert.Equal(2, (await MembersAsync(team)).Count);

        page.FindAll("[data-testid=member-remove]").Single(b => b.GetAttribute("aria-label") == $"Remove {UiTeam.Member}").Click();
        page.WaitFor(() => Assert.Contains("from this workspace?", page.Text));
        page.Button("Remove").Click();

        page.WaitFor(() => Assert.Contains($"{UiTeam.Member} was removed.", page.Text));
        Assert.Single(page.AllByTestId("member-remove"));
        Assert.Equal([UiTeam.Owner], (await MembersAsync(team)).Select(m => m.Email));
    }

    [Fact]
    public async Task The_last_owner_cannot_be_removed_and_the_page_says_why()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<WorkspaceSettingsPage>((nameof(WorkspaceSettingsPage.WorkspaceId), team.WorkspaceId));
        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("member-remove").Count));

        page.FindAll("[data-testid=member-remove]").Single(b => b.GetAttribute("aria-label") == $"Remove {UiTeam.Owner}").Click();
        page.WaitFor(() => Assert.Contains("from this workspace?", page.Text));
        page.Button("Remove").Click();

        page.WaitFor(() => Assert.Contains("Not done: The last Owner cannot be removed. Make someone else an Owner first.", page.Text));
        Assert.Single(page.FindAll(".mud-snackbar"));
        Assert.Equal(2, (await MembersAsync(team)).Count);
    }

    [Fact]
    public async Task Creating_an_invite_shows_the_link_once_and_revoking_it_is_confirmed()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<WorkspaceSettingsPage>((nameof(WorkspaceSettingsPage.WorkspaceId), team.WorkspaceId));
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("create-invite")));

        page.ByTestId("create-invite").Click();

        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("invite-link")));
        var link = page.ByTestId("invite-link").GetAttribute("value");
        Assert.StartsWith("http://localhost/invite/", link);
        Assert.Single(page.AllByTestId("invite-revoke")); // the team's own invite (used) has no revoke; the new one has
        page.ByTestId("invite-revoke").Click();
        page.WaitFor(() => Assert.Contains("Whoever has it can no longer join with it.", page.Text));
        page.Button("Revoke").Click();
        page.WaitFor(() => Assert.Empty(page.AllByTestId("invite-revoke")));
        var lookup = await team.App.InScopeAsync(sp => sp.GetRequiredService<WorkspaceService>().LookupInviteAsync(link![(link!.LastIndexOf('/') + 1)..]));
        Assert.Equal(InviteState.Revoked, lookup!.State);
    }

    [Fact]
    public async Task Renaming_to_nothing_shows_the_message_beside_the_field()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<WorkspaceSettingsPage>((nameof(WorkspaceSettingsPage.WorkspaceId), team.WorkspaceId));
        page.WaitFor(() => Assert.NotEmpty(page.AllByTestId("workspace-rename-input")));

        page.ByTestId("workspace-rename-input").Input("   ");
        page.ByTestId("workspace-rename").Click();
        page.WaitFor(() => Assert.Contains("Give the workspace a name.", page.Text));

        page.ByTestId("workspace-rename-input").Input("Studio North");
        page.ByTestId("workspace-rename").Click();
        page.WaitFor(() => Assert.Contains("Workspace renamed to Studio North.", page.Text));
        Assert.DoesNotContain("Give the workspace a name.", page.Text);
    }

    [Fact]
    public async Task A_second_workspace_is_created_from_its_page_and_opened()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Member);
        var navigation = ui.Services.GetRequiredService<BunitNavigationManager>();
        var page = ui.Open<CreateWorkspacePage>();

        page.Find("form").Submit();
        page.WaitFor(() => Assert.Contains("Give the workspace a name.", page.Text));

        page.ByTestId("workspace-name").Input("Marco's side project");
        page.Find("form").Submit();

        page.WaitFor(() => Assert.Matches("/workspaces/[0-9a-f-]{36}$", navigation.Uri));
        var memberships = await team.App.InScopeAsync(sp => sp.GetRequiredService<WorkspaceDirectory>().ListForUserAsync(ui.UserId));
        var created = Assert.Single(memberships, m => m.WorkspaceName == "Marco's side project");
        Assert.Equal(WorkspaceRole.Owner, created.Role);
        Assert.EndsWith($"/workspaces/{created.WorkspaceId}", navigation.Uri);
    }

    [Fact]
    public async Task The_admin_page_shows_roles_and_status_as_words_and_switching_registration_is_saved()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var ui = await team.SignInAsync(UiTeam.Owner);
        var page = ui.Open<AdminPage>();
        page.WaitFor(() => Assert.Equal(2, page.AllByTestId("user-role").Count));

        Assert.Equal(["Administrator", "User"], page.AllByTestId("user-role").Select(c => c.TextContent.Trim()).Order());
        Assert.All(page.AllByTestId("user-status"), s => Assert.Equal("Active", s.TextContent.Trim()));
        Assert.DoesNotContain("True", page.Text);
        Assert.DoesNotContain("False", page.Text);

        page.ByTestId("mode-open").Click();

        page.WaitFor(() => Assert.Contains("Registration is open", page.Text));
        Assert.Equal(RegistrationMode.Open, await team.App.InScopeAsync(sp => sp.GetRequiredService<AccountService>().GetRegistrationModeAsync()));
    }

    private static Task<IReadOnlyList<MemberView>> MembersAsync(UiTeam team) =>
        team.AsAsync(UiTeam.Owner, sp => sp.GetRequiredService<WorkspaceService>().ListMembersAsync());
}
