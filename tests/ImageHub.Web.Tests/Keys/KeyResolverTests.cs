using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Keys;

namespace ImageHub.Web.Tests.Keys;

/// <summary>The one rule deciding which key pays, branch by branch (sandbox mode off unless a test says otherwise).</summary>
public sealed class KeyResolverTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_members_own_key_pays_before_the_workspace_key()
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: false);
        await team.AddKeyAsync(KeyTeam.Owner, "kolbo", "Team Kolbo", "kolbo_live_team_0000_aaaa", KeyScope.Workspace);
        await team.AsAsync(KeyTeam.Owner, (v, a) => v.SetMemberAccessAsync(a, "kolbo", true, Ct));
        var own = await team.AddKeyAsync(KeyTeam.Member, "kolbo", "Marco's Kolbo", "kolbo_live_marco_0000_bbbb");

        var resolution = await team.ResolverAsync(r => r.ResolveAsync(team.MemberId, "kolbo", Ct));

        Assert.True(resolution.Found);
        Assert.Equal(own.Id, resolution.KeyId);
        Assert.Equal(KeyScope.Personal, resolution.Scope);
        Assert.Equal("Marco's Kolbo", resolution.Label);
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("expired")]
    [InlineData("invalid")]
    public async Task An_unusable_own_key_falls_through_to_the_workspace_key_members_may_use(string why)
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: why == "invalid");
        var shared = await team.AddKeyAsync(KeyTeam.Owner, "kolbo", "Team Kolbo", "kolbo_live_team_0000_aaaa", KeyScope.Workspace);
        await team.AsAsync(KeyTeam.Owner, (v, a) => v.SetMemberAccessAsync(a, "kolbo", true, Ct));
        var own = await team.AddKeyAsync(KeyTeam.Member, "kolbo", "Marco's Kolbo",
            why == "invalid" ? "bad_kolbo_marco_0000" : "kolbo_live_marco_0000_bbbb",
            expiresAt: why == "expired" ? team.App.Clock.GetUtcNow().AddDays(1) : null);
        switch (why)
        {
            case "disabled": await team.AsAsync(KeyTeam.Member, (v, a) => v.SetDisabledAsync(a, own.Id, true, Ct)); break;
            case "expired": team.App.Clock.Advance(TimeSpan.FromDays(2)); break;
            case "invalid": await team.AsAsync(KeyTeam.Member, (v, a) => v.CheckAsync(a, own.Id, Ct)); break;
        }

        var resolution = await team.ResolverAsync(r => r.ResolveAsync(team.MemberId, "kolbo", Ct));

        Assert.Equal(shared.Id, resolution.KeyId);
        Assert.Equal(KeyScope.Workspace, resolution.Scope);
    }

    [Fact]
    public async Task A_member_cannot_spend_through_the_workspace_key_until_members_may_use_it()
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: false);
        var shared = await team.AddKeyAsync(KeyTeam.Owner, "coals", "Team Coals", "coals_team_key_0000_cccc", KeyScope.Workspace);

        var before = await team.ResolverAsync(r => r.ResolveAsync(team.MemberId, "coals", Ct));
        var owner = await team.ResolverAsync(r => r.ResolveAsync(team.OwnerId, "coals", Ct));
        await team.AsAsync(KeyTeam.Owner, (v, a) => v.SetMemberAccessAsync(a, "coals", true, Ct));
        var after = await team.ResolverAsync(r => r.ResolveAsync(team.MemberId, "coals", Ct));

        Assert.False(before.Found);
        Assert.Null(before.KeyId);
        Assert.Equal(
            "No Coals key of yours, and members may not spend through the workspace's Coals key. " +
            "Add your own Coals key in Keys, or ask a workspace Owner or Admin to let members use the workspace's key.", before.Message);
        Assert.Equal(shared.Id, owner.KeyId); // Owners and Admins always may
        Assert.Equal(shared.Id, after.KeyId);
    }

    [Fact]
    public async Task With_no_key_at_all_the_message_names_the_missing_key_and_who_can_add_it()
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: false);

        var member = await team.ResolverAsync(r => r.ResolveAsync(team.MemberId, "qolaba", Ct));
        var owner = await team.ResolverAsync(r => r.ResolveAsync(team.OwnerId, "qolaba", Ct));

        Assert.False(member.Found);
        Assert.Equal("No usable Qolaba key. Add your own Qolaba key in Keys, or ask a workspace Owner or Admin to add a workspace Qolaba key.", member.Message);
        Assert.Equal("No usable Qolaba key. Add your own or a workspace Qolaba key in Keys.", owner.Message);
    }

    [Fact]
    public async Task A_disabled_own_key_is_named_in_the_message_when_nothing_else_pays()
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: false);
        var own = await team.AddKeyAsync(KeyTeam.Member, "koala", "Marco's Koala", "koala_marco_key_0000_dddd");
        await team.AsAsync(KeyTeam.Member, (v, a) => v.SetDisabledAsync(a, own.Id, true, Ct));

        var resolution = await team.ResolverAsync(r => r.ResolveAsync(team.MemberId, "koala", Ct));

        Assert.False(resolution.Found);
        Assert.StartsWith("Your Koala key \"Marco's Koala\" is disabled. No usable Koala key.", resolution.Message);
    }

    [Fact]
    public async Task Another_members_personal_key_never_pays()
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: false);
        await team.AddKeyAsync(KeyTeam.Owner, "kolbo", "Olivia's Kolbo", "kolbo_live_olivia_000_eeee");

        var resolution = await team.ResolverAsync(r => r.ResolveAsync(team.MemberId, "kolbo", Ct));

        Assert.False(resolution.Found);
        Assert.Null(resolution.KeyId);
    }

    [Fact]
    public async Task In_sandbox_mode_the_built_in_sandbox_key_pays_when_nobody_added_one()
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: true);

        var resolution = await team.ResolverAsync(r => r.ResolveAsync(team.MemberId, "kolbo", Ct));
        var credential = await team.ResolverAsync(r => r.GetCredentialAsync(resolution.KeyId, "kolbo", Ct));

        Assert.Equal(new KeyResolution(true, null, null, "Sandbox key", null), resolution);
        Assert.Equal(KeyResolver.SandboxSecret, credential.Reveal());
    }

    [Fact]
    public async Task Outside_sandbox_mode_there_is_no_built_in_key()
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: false);

        var refused = await Assert.ThrowsAsync<KeyVaultException>(() => team.ResolverAsync(r => r.GetCredentialAsync(null, "kolbo", Ct)));

        Assert.Equal("No Kolbo key was chosen to pay for this. Add one in Keys.", refused.Message);
    }

    [Fact]
    public async Task A_key_disabled_after_it_was_chosen_is_not_handed_out_and_the_message_has_no_secret()
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: false);
        var own = await team.AddKeyAsync(KeyTeam.Member, "kolbo", "Marco's Kolbo", "kolbo_live_marco_0000_ffff");
        var resolution = await team.ResolverAsync(r => r.ResolveAsync(team.MemberId, "kolbo", Ct));
        await team.AsAsync(KeyTeam.Member, (v, a) => v.SetDisabledAsync(a, own.Id, true, Ct));

        var refused = await Assert.ThrowsAsync<KeyVaultException>(() => team.ResolverAsync(r => r.GetCredentialAsync(resolution.KeyId, "kolbo", Ct)));

        Assert.Equal("The Kolbo key \"Marco's Kolbo\" was disabled. Enable it or use another key in Keys.", refused.Message);
        Assert.DoesNotContain("kolbo_live_marco", refused.ToString());
    }

    [Fact]
    public async Task Marking_a_key_used_shows_when_it_last_paid()
    {
        await using var team = await KeyTeam.CreateAsync(sandbox: false);
        var own = await team.AddKeyAsync(KeyTeam.Member, "kolbo", "Marco's Kolbo", "kolbo_live_marco_0000_gggg");
        team.App.Clock.Advance(TimeSpan.FromMinutes(5));

        await team.ResolverAsync(async r => { await r.MarkUsedAsync(own.Id); return true; });
        var listed = await team.AsAsync(KeyTeam.Member, (v, a) => v.ListAsync(a.UserId, Ct));

        Assert.Equal(team.App.Clock.GetUtcNow(), listed.Single(k => k.Id == own.Id).LastUsedAt);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_key_that_could_not_be_checked_works_once_it_has_paid_for_a_generation(DatabaseKind kind)
    {
        // Koala has no read-only endpoint to check a key: it stays Unchecked until a generation proves it.
        await using var team = await KeyTeam.CreateAsync(kind, sandbox: false);
        var koala = await team.AddKeyAsync(KeyTeam.Member, "koala", "Marco's Koala", "koala_live_marco_0000_hhhh");
        var before = (await team.AsAsync(KeyTeam.Member, (v, a) => v.ListAsync(a.UserId, Ct))).Single(k => k.Id == koala.Id);
        team.App.Clock.Advance(TimeSpan.FromMinutes(5));

        await team.ResolverAsync(async r => { await r.MarkUsedAsync(koala.Id); return true; });
        var after = (await team.AsAsync(KeyTeam.Member, (v, a) => v.ListAsync(a.UserId, Ct))).Single(k => k.Id == koala.Id);

        Assert.Equal(KeyStatus.Unchecked, before.Status);
        Assert.Equal(KeyStatus.Valid, after.Status);
        Assert.Equal(team.App.Clock.GetUtcNow(), after.CheckedAt);
        Assert.StartsWith("Paid for a generation the provider accepted", after.StatusMessage);
    }
}
