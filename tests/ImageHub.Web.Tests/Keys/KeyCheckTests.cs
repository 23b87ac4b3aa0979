using ImageHub.Web.Features.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Keys;

/// <summary>Checks go to each provider's cheapest read-only endpoint (here: the in-app sandbox) and record what it said.</summary>
public sealed class KeyCheckTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_Kolbo_key_the_provider_accepts_is_valid_with_its_credit_balance()
    {
        await using var team = await KeyTeam.CreateAsync();
        var key = await team.AddKeyAsync(KeyTeam.Member, "kolbo", "Marco's Kolbo", "kolbo_live_marco_0000_aaaa");

        var result = await team.AsAsync(KeyTeam.Member, (v, a) => v.CheckAsync(a, key.Id, Ct));

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(KeyStatus.Valid, result.Value!.Status);
        Assert.Equal(1000m, result.Value.Balance);
        Assert.Equal("Kolbo accepted the key: 1000 credits.", result.Value.StatusMessage);
        Assert.Equal(team.App.Clock.GetUtcNow(), result.Value.CheckedAt);
    }

    [Theory]
    [InlineData("kolbo", "Kolbo refused the key (401). Check the key in Keys. Kolbo said: Invalid API key.")]
    [InlineData("qolaba", "Qolaba refused the key (401). Check the key in Keys. Qolaba said: Unauthorized: Invalid API key.")]
    [InlineData("coals", "Coals refused the key (401). Check the key in Keys. Coals said: Invalid API key.")]
    public async Task A_key_the_provider_refuses_is_invalid_with_the_providers_message(string provider, string message)
    {
        await using var team = await KeyTeam.CreateAsync();
        var key = await team.AddKeyAsync(KeyTeam.Owner, provider, "Wrong one", "bad_key_pasted_wrong_0000");

        var result = await team.AsAsync(KeyTeam.Owner, (v, a) => v.CheckAsync(a, key.Id, Ct));

        Assert.Equal(KeyStatus.Invalid, result.Value!.Status);
        Assert.Equal(message, result.Value.StatusMessage);
        Assert.Null(result.Value.Balance);
    }

    [Fact]
    public async Task Coals_reports_its_quota_and_Qolaba_no_balance()
    {
        await using var team = await KeyTeam.CreateAsync();
        var coals = await team.AddKeyAsync(KeyTeam.Owner, "coals", "Coals", "coals_key_good_0000_bbbb");
        var qolaba = await team.AddKeyAsync(KeyTeam.Owner, "qolaba", "Qolaba", "qolaba_key_good_0000_cccc");

        var coalsChecked = await team.AsAsync(KeyTeam.Owner, (v, a) => v.CheckAsync(a, coals.Id, Ct));
        var qolabaChecked = await team.AsAsync(KeyTeam.Owner, (v, a) => v.CheckAsync(a, qolaba.Id, Ct));

        Assert.Equal((KeyStatus.Valid, (decimal?)1000m), (coalsChecked.Value!.Status, coalsChecked.Value.Balance));
        Assert.Equal((KeyStatus.Valid, (decimal?)null), (qolabaChecked.Value!.Status, qolabaChecked.Value.Balance));
        Assert.Contains("Qolaba reports no balance", qolabaChecked.Value.StatusMessage);
    }

    [Fact]
    public async Task A_Koala_key_stays_unchecked_because_Koala_has_no_read_only_endpoint()
    {
        await using var team = await KeyTeam.CreateAsync();
        var key = await team.AddKeyAsync(KeyTeam.Owner, "koala", "Koala", "bad_koala_would_be_refused_0000");
        var requestsBefore = team.App.Services.GetRequiredService<Web.Infrastructure.SandboxMode>().Server.State.Requests.Count;

        var result = await team.AsAsync(KeyTeam.Owner, (v, a) => v.CheckAsync(a, key.Id, Ct));
        var requestsAfter = team.App.Services.GetRequiredService<Web.Infrastructure.SandboxMode>().Server.State.Requests.Count;

        Assert.Equal(KeyStatus.Unchecked, result.Value!.Status);
        Assert.Equal("Koala has no read-only endpoint to check a key without generating; it is checked by its first generation.", result.Value.StatusMessage);
        Assert.Equal(requestsBefore, requestsAfter);
    }

    [Fact]
    public async Task Rotating_keeps_the_record_and_history_and_sends_the_status_back_to_unchecked()
    {
        await using var team = await KeyTeam.CreateAsync();
        var key = await team.AddKeyAsync(KeyTeam.Member, "kolbo", "Marco's Kolbo", "bad_kolbo_typo_0000_aaaa");
        await team.AsAsync(KeyTeam.Member, (v, a) => v.CheckAsync(a, key.Id, Ct));

        var rotated = await team.AsAsync(KeyTeam.Member, (v, a) => v.RotateAsync(a, key.Id, "kolbo_live_fixed_0000_zzzz", cancellationToken: Ct));
        var rechecked = await team.AsAsync(KeyTeam.Member, (v, a) => v.CheckAsync(a, key.Id, Ct));
        var history = await team.AsAsync(KeyTeam.Owner, (v, _) => v.AuditLogAsync(new KeyAuditFilter(), Ct));

        Assert.Equal((key.Id, "••••zzzz", KeyStatus.Unchecked), (rotated.Value!.Id, rotated.Value.Mask, rotated.Value.Status));
        Assert.Equal(KeyStatus.Valid, rechecked.Value!.Status);
        Assert.Equal([KeyAuditAction.Checked, KeyAuditAction.Rotated, KeyAuditAction.Checked, KeyAuditAction.Added],
            history.Where(h => h.KeyId == key.Id).Select(h => h.Action));
        Assert.All(history, h => Assert.DoesNotContain("fixed_0000", h.Detail ?? ""));
        Assert.All(history, h => Assert.DoesNotContain("typo_0000", h.Detail ?? ""));
    }

    [Fact]
    public async Task The_audit_log_is_for_Owners_and_Admins_and_filters_by_action_member_provider_and_date()
    {
        await using var team = await KeyTeam.CreateAsync();
        var marcos = await team.AddKeyAsync(KeyTeam.Member, "kolbo", "Marco's Kolbo", "kolbo_live_marco_0000_aaaa");
        team.App.Clock.Advance(TimeSpan.FromDays(1));
        await team.AddKeyAsync(KeyTeam.Owner, "coals", "Team Coals", "coals_team_key_0000_bbbb", KeyScope.Workspace);
        await team.AsAsync(KeyTeam.Member, (v, a) => v.SetDisabledAsync(a, marcos.Id, true, Ct));

        var memberView = await team.AsAsync(KeyTeam.Member, (v, _) => v.AuditLogAsync(new KeyAuditFilter(), Ct));
        var byMarco = await team.AsAsync(KeyTeam.Owner, (v, _) => v.AuditLogAsync(new KeyAuditFilter(ActorUserId: team.MemberId), Ct));
        var coalsOnly = await team.AsAsync(KeyTeam.Owner, (v, _) => v.AuditLogAsync(new KeyAuditFilter(ProviderId: "coals"), Ct));
        var disabled = await team.AsAsync(KeyTeam.Owner, (v, _) => v.AuditLogAsync(new KeyAuditFilter(Action: KeyAuditAction.Disabled), Ct));
        var firstDay = await team.AsAsync(KeyTeam.Owner, (v, _) => v.AuditLogAsync(new KeyAuditFilter(To: team.App.Clock.GetUtcNow().AddHours(-1)), Ct));
        var auditPageForMember = await team.MemberBrowser.GetAsync("/keys/audit");

        Assert.Empty(memberView);
        Assert.Equal([KeyAuditAction.Disabled, KeyAuditAction.Added], byMarco.Select(e => e.Action));
        Assert.Equal(["Team Coals"], coalsOnly.Select(e => e.KeyLabel));
        Assert.Equal([marcos.Id], disabled.Select(e => e.KeyId!.Value));
        Assert.Equal(["Marco's Kolbo"], firstDay.Select(e => e.KeyLabel));
        Assert.All(byMarco, e => Assert.Equal(("marco@example.com", "203.0.113.7"), (e.ActorEmail, e.RemoteAddress)));
        Assert.Contains("You do not have permission to open this page", auditPageForMember.Text);
    }

    [Fact]
    public async Task Whether_a_key_can_be_checked_and_why_not_comes_from_the_providers_profile()
    {
        await using var team = await KeyTeam.CreateAsync();
        var koala = await team.AddKeyAsync(KeyTeam.Owner, "koala", "Koala", "koala_key_0000_dddd");
        var kolbo = await team.AddKeyAsync(KeyTeam.Owner, "kolbo", "Kolbo", "kolbo_live_0000_eeee");
        using var scope = team.App.Services.CreateScope();
        var vault = scope.ServiceProvider.GetRequiredService<KeyVault>();
        var providers = team.App.Services.GetRequiredService<ImageHub.Providers.IProviderRegistry>();

        Assert.False(koala.CanBeChecked);
        Assert.Equal(providers.Get("koala").Profile.KeyCheckNote, koala.CheckTitle);
        Assert.Equal(providers.Get("koala").Profile.KeyCheckNote, vault.CannotCheckNote("koala"));
        Assert.StartsWith("Koala has no read-only endpoint", koala.KeyCheckNote);
        Assert.True(kolbo.CanBeChecked);
        Assert.Equal("Check: ask the provider whether it accepts this key", kolbo.CheckTitle);
        Assert.Null(vault.CannotCheckNote("kolbo"));
    }
}
