using ImageHub.Web.Features.Keys;
using ImageHub.Web.Tests.Keys;

namespace ImageHub.Web.Tests.Ui;

/// <summary>The Keys page rendered with bUnit against the real app.</summary>
public sealed class KeysPageUiTests
{
    [Fact]
    public async Task A_member_sees_the_workspace_keys_masks_without_actions_and_never_another_members_personal_key()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.AddKeyAsync(UiTeam.Owner, "kolbo", "Studio Kolbo", "kolbo_live_studio_0000_ab12", KeyScope.Workspace);
        await team.AddKeyAsync(UiTeam.Owner, "coals", "Olivia private Coals", "coals_olivia_private_cd34");
        await team.AddKeyAsync(UiTeam.Member, "qolaba", "Marco Qolaba", "qolaba_marco_0000_ef56");
        await using var ui = await team.SignInAsync(UiTeam.Member);

        var page = ui.Open<KeysPage>();

        page.WaitFor(() => Assert.Contains("Studio Kolbo", page.Text));
        Assert.Contains("••••ab12", page.Text);
        Assert.Contains("Marco Qolaba", page.Text);
        Assert.DoesNotContain("Olivia private Coals", page.Text);
        Assert.DoesNotContain("••••cd34", page.Text);
        Assert.Single(page.AllByTestId("key-rotate")); // only on Marco's own key
        Assert.Contains("No workspace key for Koala yet.", page.Text);
        Assert.Contains("An Owner or Admin can add one.", page.Text);
        Assert.DoesNotContain("Audit log", page.Text);
    }
}
