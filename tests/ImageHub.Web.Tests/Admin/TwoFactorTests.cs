using System.Net;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Admin;
using ImageHub.Web.Infrastructure.Audit;
using ImageHub.Web.Tests.Account;
using ImageHub.Web.Tests.Ui;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;
using static ImageHub.Web.Tests.Account.Authenticator;

namespace ImageHub.Web.Tests.Admin;

/// <summary>
/// Issue 14 part 2: two-factor sign-in with an authenticator app, through the real pages. Codes are computed here with
/// Otp.NET from the key the page shows, as an authenticator app would, at the app's test clock (<see cref="Authenticator"/>).
/// </summary>
public sealed class TwoFactorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<Page> LoginAsync(BrowserClient browser, string email) => browser.LoginAsync(email, Password);

    [Fact]
    public async Task A_member_enrols_with_a_QR_code_then_signs_in_with_a_code_and_once_with_each_recovery_code()
    {
        await using var team = await UiTeam.CreateAsync();
        using var member = team.App.CreateBrowser();
        await LoginAsync(member, UiTeam.Member);

        var (key, codes, enrolled) = await EnrolAsync(member, team.App.Clock);
        team.App.Clock.Advance(Authenticator.Window); // each code works once: the one typed at enrolment is spent
        using var later = team.App.CreateBrowser();
        var asked = await LoginAsync(later, UiTeam.Member);
        var wrong = await later.SubmitFormAsync(asked.Url.PathAndQuery, "login-2fa", new Dictionary<string, string> { ["Input.Code"] = "000000" == CodeNow(key, team.App.Clock) ? "111111" : "000000" });
        var signedIn = await later.SubmitFormAsync(asked.Url.PathAndQuery, "login-2fa", new Dictionary<string, string> { ["Input.Code"] = CodeNow(key, team.App.Clock) });
        var home = await later.GetAsync("/keys");

        Assert.Equal(10, codes.Length);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.Contains("shown only now", enrolled.Text);
        Assert.Equal("/Account/LoginWith2fa", asked.Path);
        Assert.Contains("That code is not right", wrong.Text);
        Assert.NotEqual("/Account/LoginWith2fa", signedIn.Path);
        Assert.Equal(("/keys", HttpStatusCode.OK), (home.Path, home.Status));

        using var withRecovery = team.App.CreateBrowser();
        var again = await LoginAsync(withRecovery, UiTeam.Member);
        var recovered = await withRecovery.SubmitFormAsync(again.Url.PathAndQuery, "login-2fa", new Dictionary<string, string> { ["Input.Code"] = codes[3] });
        using var reuse = team.App.CreateBrowser();
        var third = await LoginAsync(reuse, UiTeam.Member);
        var reused = await reuse.SubmitFormAsync(third.Url.PathAndQuery, "login-2fa", new Dictionary<string, string> { ["Input.Code"] = codes[3] });

        Assert.NotEqual("/Account/LoginWith2fa", recovered.Path);
        Assert.Contains("That code is not right", reused.Text); // each recovery code works once
    }

    [Fact]
    public async Task With_two_factor_required_an_admin_is_sent_to_enrol_and_a_member_is_not()
    {
        await using var team = await UiTeam.CreateAsync();
        await using var app = team.App.Restart(new Dictionary<string, string?> { ["Security:RequireTwoFactorForAdmins"] = "true" });
        using var owner = app.CreateBrowser();
        using var member = app.CreateBrowser();

        var ownerLanded = await owner.LoginAsync(UiTeam.Owner, Password);
        var ownerKeys = await owner.GetAsync("/keys");
        var memberLanded = await member.LoginAsync(UiTeam.Member, Password);
        await EnrolAsync(owner, app.Clock);
        var ownerAfter = await owner.GetAsync("/keys");

        Assert.Equal(TwoFactorPolicy.EnrolPath, ownerLanded.Path);
        Assert.Contains("requires two-factor sign-in", ownerLanded.Text);
        Assert.Equal(TwoFactorPolicy.EnrolPath, ownerKeys.Path);
        Assert.NotEqual(TwoFactorPolicy.EnrolPath, memberLanded.Path);
        Assert.Equal(("/keys", HttpStatusCode.OK), (ownerAfter.Path, ownerAfter.Status));
    }

    [Fact]
    public async Task Another_administrator_resets_a_lost_two_factor_and_the_audit_log_says_so()
    {
        await using var team = await UiTeam.CreateAsync();
        using var member = team.App.CreateBrowser();
        await LoginAsync(member, UiTeam.Member);
        await EnrolAsync(member, team.App.Clock);
        var ownerId = await team.App.UserIdAsync(UiTeam.Owner);
        var memberId = await team.App.UserIdAsync(UiTeam.Member);

        var self = await team.App.InScopeAsync(sp => sp.GetRequiredService<AdminService>().ResetTwoFactorAsync(new AuditActor(ownerId, "192.0.2.9"), ownerId, Ct));
        var reset = await team.App.InScopeAsync(sp => sp.GetRequiredService<AdminService>().ResetTwoFactorAsync(new AuditActor(ownerId, "192.0.2.9"), memberId, Ct));
        var openSession = await member.GetAsync("/keys");
        using var later = team.App.CreateBrowser();
        var login = await LoginAsync(later, UiTeam.Member);

        Assert.True(self.Is(FailureKind.Conflict), self.Message);
        Assert.True(reset.Succeeded, reset.Message);
        Assert.Equal("/Account/Login", openSession.Path);
        Assert.NotEqual("/Account/LoginWith2fa", login.Path);
        var entry = await team.App.InScopeAsync(sp => sp.GetRequiredService<AppDbContext>().Set<AdminAuditEntry>().SingleAsync(Ct));
        Assert.Equal((AdminAuditAction.TwoFactorReset, UiTeam.Member, UiTeam.Owner, "192.0.2.9"), (entry.Action, entry.TargetEmail, entry.ActorEmail, entry.RemoteAddress));
    }

    [Fact]
    public async Task After_a_reset_the_member_enrols_a_new_phone_at_once_even_within_the_last_codes_window()
    {
        await using var team = await UiTeam.CreateAsync();
        using (var member = team.App.CreateBrowser())
        {
            await LoginAsync(member, UiTeam.Member);
            await EnrolAsync(member, team.App.Clock); // a code of this 30-second window is now used on the account
        }
        var ownerId = await team.App.UserIdAsync(UiTeam.Owner);
        var memberId = await team.App.UserIdAsync(UiTeam.Member);
        var reset = await team.App.InScopeAsync(sp => sp.GetRequiredService<AdminService>().ResetTwoFactorAsync(new AuditActor(ownerId, "192.0.2.9"), memberId, Ct));

        using var again = team.App.CreateBrowser();
        await LoginAsync(again, UiTeam.Member);
        var (_, recoveryCodes, _) = await EnrolAsync(again, team.App.Clock); // same moment, new key: its code is accepted

        Assert.True(reset.Succeeded, reset.Message);
        Assert.Equal(10, recoveryCodes.Length);
    }
}
