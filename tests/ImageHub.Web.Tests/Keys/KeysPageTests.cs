using ImageHub.Web.Features.Keys;

namespace ImageHub.Web.Tests.Keys;

/// <summary>The Keys page as the server renders it for each person.</summary>
public sealed class KeysPageTests
{
    [Fact]
    public async Task A_member_sees_the_workspace_keys_masks_without_actions_and_never_another_members_personal_key()
    {
        await using var team = await KeyTeam.CreateAsync();
        await team.AddKeyAsync(KeyTeam.Owner, "kolbo", "Studio Kolbo", "kolbo_live_studio_0000_ab12", KeyScope.Workspace);
        await team.AddKeyAsync(KeyTeam.Owner, "coals", "Olivia private Coals", "coals_olivia_private_cd34");
        await team.AddKeyAsync(KeyTeam.Member, "qolaba", "Marco Qolaba", "qolaba_marco_0000_ef56");

        var member = await team.MemberBrowser.GetAsync("/keys");
        var owner = await team.OwnerBrowser.GetAsync("/keys");

        Assert.Contains("Studio Kolbo", member.Text);
        Assert.Contains("••••ab12", member.Text);
        Assert.Contains("Marco Qolaba", member.Text);
        Assert.DoesNotContain("Olivia private Coals", member.Text);
        Assert.DoesNotContain("••••cd34", member.Text);
        Assert.Equal(1, Count(member.Html, "data-testid=\"key-rotate\"")); // only on Marco's own key
        Assert.Contains("No key for Kolbo yet.", member.Text);
        Assert.Contains("No workspace key for Koala yet. An Owner or Admin can add one.", member.Text);
        Assert.DoesNotContain("Marco Qolaba", owner.Text);
        Assert.Equal(2, Count(owner.Html, "data-testid=\"key-rotate\"")); // Olivia's own and the workspace's
        Assert.Contains("Audit log", owner.Text);
        Assert.DoesNotContain("Audit log", member.Text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task In_sandbox_mode_the_page_says_any_key_works_and_a_built_in_key_pays(bool sandbox)
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: sandbox);

        var page = await team.MemberBrowser.GetAsync("/keys");

        Assert.Equal(sandbox, page.Text.Contains("Sandbox mode: providers are emulated, so any key works", StringComparison.Ordinal));
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
}
