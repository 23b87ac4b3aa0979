using System.Net;
using System.Net.Http.Headers;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Admin;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Audit;
using ImageHub.Web.Tests.Ui;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Admin;

/// <summary>Issue 14 part 3: the instance admin console's actions against the real app (SQLite, or PostgreSQL where it says so).</summary>
public sealed class AdminConsoleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Address = "198.51.100.23";

    private static async Task<Outcome> AsAdminAsync(UiTeam team, string adminEmail, Func<AdminService, AuditActor, Task<Outcome>> action)
    {
        var id = await team.App.UserIdAsync(adminEmail);
        return await team.App.InScopeAsync(sp => action(sp.GetRequiredService<AdminService>(), new AuditActor(id, Address)));
    }

    private static Task<AppUser> UserAsync(UiTeam team, string email) =>
        team.App.InScopeAsync(async sp => (await sp.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email))!);

    private static Task<List<AdminAuditEntry>> AuditAsync(UiTeam team) =>
        team.App.InScopeAsync(async sp => await sp.GetRequiredService<AppDbContext>().Set<AdminAuditEntry>().OrderBy(a => a.At).ThenBy(a => a.Id).ToListAsync(Ct));

    private static async Task<string> MemberTokenAsync(UiTeam team) =>
        await team.AsAsync(UiTeam.Member, async sp =>
        {
            var tokens = sp.GetRequiredService<ApiTokenService>();
            var made = await tokens.CreateAsync(await team.App.UserIdAsync(UiTeam.Member), tokens.Draft("script", ApiScopes.Read), Ct);
            Assert.True(made.Succeeded, made.Message);
            return made.Value!.Token;
        });

    private HttpClient Api(UiTeam team, string token)
    {
        var client = team.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_disabled_accounts_open_session_and_API_token_stop_working_and_it_cannot_log_in_until_enabled()
    {
        await using var team = await UiTeam.CreateAsync();
        using var member = team.App.CreateBrowser();
        await member.LoginAsync(UiTeam.Member, Password);
        var token = await MemberTokenAsync(team);
        using var api = Api(team, token);
        var pageBefore = await member.GetAsync("/keys");
        using var apiBefore = await api.GetAsync("/api/v1/providers", Ct);

        var disabled = await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetDisabledAsync(actor, team.App.UserIdAsync(UiTeam.Member).Result, true, Ct));
        var pageAfter = await member.GetAsync("/keys");
        using var apiAfter = await api.GetAsync("/api/v1/providers", Ct);
        using var fresh = team.App.CreateBrowser();
        var refused = await fresh.LoginAsync(UiTeam.Member, Password);
        var wrongPassword = await fresh.LoginAsync(UiTeam.Member, "not the password at all");

        Assert.True(disabled.Succeeded, disabled.Message);
        Assert.Equal(("/keys", HttpStatusCode.OK), (pageBefore.Path, pageBefore.Status));
        Assert.Equal(HttpStatusCode.OK, apiBefore.StatusCode);
        Assert.Equal("/Account/Login", pageAfter.Path);
        Assert.Equal(HttpStatusCode.Unauthorized, apiAfter.StatusCode);
        Assert.Contains("revoked", await apiAfter.Content.ReadAsStringAsync(Ct));
        Assert.Contains(LoginService.DisabledMessage, refused.Text);
        Assert.Contains(LoginService.WrongEmailOrPasswordMessage, wrongPassword.Text); // "disabled" only for whoever knows the password

        var enabled = await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetDisabledAsync(actor, team.App.UserIdAsync(UiTeam.Member).Result, false, Ct));
        var again = await fresh.LoginAsync(UiTeam.Member, Password);
        using var apiStillRevoked = await api.GetAsync("/api/v1/providers", Ct);

        Assert.True(enabled.Succeeded, enabled.Message);
        Assert.NotEqual("/Account/Login", again.Path);
        Assert.Equal(HttpStatusCode.Unauthorized, apiStillRevoked.StatusCode);
        var audit = await AuditAsync(team);
        Assert.Equal([AdminAuditAction.AccountDisabled, AdminAuditAction.AccountEnabled], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal((UiTeam.Owner, Address, UiTeam.Member), (a.ActorEmail, a.RemoteAddress, a.TargetEmail)));
        Assert.Equal(("enabled", "disabled; 1 API token(s) revoked"), (audit[0].OldValue, audit[0].NewValue));
        Assert.Equal(("disabled", "enabled"), (audit[1].OldValue, audit[1].NewValue));
    }

    [Fact]
    public async Task A_disabled_accounts_open_page_is_signed_out_at_once()
    {
        await using var team = await UiTeam.CreateAsync();
        var memberId = await team.App.UserIdAsync(UiTeam.Member);
        var heard = new List<AccountChange>();
        using var circuit = team.App.Services.GetRequiredService<AccountSessions>().Subscribe(memberId, c => { heard.Add(c); return Task.CompletedTask; });

        await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetDisabledAsync(actor, memberId, true, Ct));

        Assert.Equal([AccountChange.SessionsEnded], heard);
    }

    [Fact]
    public async Task The_last_instance_administrator_can_be_neither_demoted_nor_disabled_nor_deleted_until_another_is_promoted()
    {
        await using var team = await UiTeam.CreateAsync();
        var ownerId = await team.App.UserIdAsync(UiTeam.Owner);
        var memberId = await team.App.UserIdAsync(UiTeam.Member);

        var demoteSelf = await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetInstanceAdminAsync(actor, ownerId, false, Ct));
        var memberTries = await AsAdminAsync(team, UiTeam.Member, (admin, actor) => admin.SetInstanceAdminAsync(actor, memberId, true, Ct));
        var promote = await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetInstanceAdminAsync(actor, memberId, true, Ct));
        var newAdminDemotesFirst = await AsAdminAsync(team, UiTeam.Member, (admin, actor) => admin.SetInstanceAdminAsync(actor, ownerId, false, Ct));
        var lastDemotesSelf = await AsAdminAsync(team, UiTeam.Member, (admin, actor) => admin.SetInstanceAdminAsync(actor, memberId, false, Ct));
        var lastDeletesSelf = await AsAdminAsync(team, UiTeam.Member, (admin, actor) => admin.DeleteAsync(actor, memberId, Ct));
        var formerAdminDisables = await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetDisabledAsync(actor, memberId, true, Ct));
        var formerPromotesSelf = await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetInstanceAdminAsync(actor, ownerId, true, Ct));

        Assert.Equal(AdminService.LastAdminMessage, demoteSelf.Message);
        Assert.True(memberTries.Is(FailureKind.Forbidden), memberTries.Message);
        Assert.True(promote.Succeeded, promote.Message);
        Assert.True(newAdminDemotesFirst.Succeeded, newAdminDemotesFirst.Message);
        Assert.Equal(AdminService.LastAdminMessage, lastDemotesSelf.Message);
        Assert.True(lastDeletesSelf.Is(FailureKind.Conflict), lastDeletesSelf.Message);
        Assert.True(formerAdminDisables.Is(FailureKind.Forbidden), "a demoted administrator may no longer act");
        Assert.True(formerPromotesSelf.Is(FailureKind.Forbidden), "a demoted administrator may no longer promote anyone");
        Assert.False((await UserAsync(team, UiTeam.Owner)).IsInstanceAdmin);
        Assert.True((await UserAsync(team, UiTeam.Member)).IsInstanceAdmin);
        var audit = await AuditAsync(team);
        Assert.Equal([AdminAuditAction.AdminPromoted, AdminAuditAction.AdminDemoted], audit.Select(a => a.Action));
        Assert.Equal(("user", "administrator"), (audit[0].OldValue, audit[0].NewValue));
        Assert.Equal((UiTeam.Member, UiTeam.Owner, "administrator", "user"), (audit[1].ActorEmail, audit[1].TargetEmail, audit[1].OldValue, audit[1].NewValue));
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Two_administrators_demoting_each_other_at_the_same_moment_leave_one_administrator(DatabaseKind kind)
    {
        await using var team = await UiTeam.CreateAsync(kind: kind);
        var ownerId = await team.App.UserIdAsync(UiTeam.Owner);
        var memberId = await team.App.UserIdAsync(UiTeam.Member);
        Assert.True((await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetInstanceAdminAsync(actor, memberId, true, Ct))).Succeeded);

        var results = await Task.WhenAll(
            AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetInstanceAdminAsync(actor, memberId, false, Ct)),
            AsAdminAsync(team, UiTeam.Member, (admin, actor) => admin.SetInstanceAdminAsync(actor, ownerId, false, Ct)));

        Assert.Single(results, r => r.Succeeded);
        var admins = await team.App.InScopeAsync(sp => sp.GetRequiredService<AppDbContext>().Users.CountAsync(u => u.IsInstanceAdmin, Ct));
        Assert.Equal(1, admins);
    }

    [Fact]
    public async Task A_deleted_accounts_generations_stay_shown_as_by_a_former_member_and_its_login_and_tokens_are_gone()
    {
        await using var team = await UiTeam.CreateAsync();
        var memberId = await team.App.UserIdAsync(UiTeam.Member);
        var images = await team.FinishedAsync(UiTeam.Member, "kolbo", "a lighthouse at dusk", 4m, 0.04m);
        var token = await MemberTokenAsync(team);
        using var api = Api(team, token);

        var self = await AsAdminAsync(team, UiTeam.Owner, async (admin, actor) => await admin.DeleteAsync(actor, actor.UserId, Ct));
        var deleted = await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.DeleteAsync(actor, memberId, Ct));
        var image = await team.AsAsync(UiTeam.Owner, sp => sp.GetRequiredService<GalleryQuery>().ImageAsync(images[0], Ct));
        using var apiAfter = await api.GetAsync("/api/v1/providers", Ct);
        using var browser = team.App.CreateBrowser();
        var login = await browser.LoginAsync(UiTeam.Member, Password);

        Assert.True(self.Is(FailureKind.Conflict), self.Message);
        Assert.True(deleted.Succeeded, deleted.Message);
        Assert.NotNull(image);
        Assert.Equal("a former member", image.Value.Card.Author);
        Assert.Equal(HttpStatusCode.Unauthorized, apiAfter.StatusCode);
        Assert.Contains(LoginService.WrongEmailOrPasswordMessage, login.Text);
        var members = await team.AsAsync(UiTeam.Owner, sp => sp.GetRequiredService<WorkspaceService>().ListMembersAsync(Ct));
        Assert.DoesNotContain(members, m => m.Email == UiTeam.Member);
        var entry = Assert.Single(await AuditAsync(team));
        Assert.Equal((AdminAuditAction.AccountDeleted, UiTeam.Member, "user", "deleted"), (entry.Action, entry.TargetEmail, entry.OldValue, entry.NewValue));
    }

    [Fact]
    public async Task The_only_owner_of_a_workspace_is_not_deleted_and_the_message_names_the_workspace()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.App.CreateWorkspaceAsync(UiTeam.Member, "Marco's corner");
        var memberId = await team.App.UserIdAsync(UiTeam.Member);

        var refused = await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.DeleteAsync(actor, memberId, Ct));

        Assert.True(refused.Is(FailureKind.Conflict));
        Assert.Contains("only Owner of Marco's corner", refused.Message);
        Assert.NotNull(await team.App.InScopeAsync(sp => sp.GetRequiredService<UserManager<AppUser>>().FindByIdAsync(memberId.ToString())));
        Assert.Empty(await AuditAsync(team));
    }

    [Fact]
    public async Task Unlocking_lets_a_locked_out_account_log_in_at_once()
    {
        await using var team = await UiTeam.CreateAsync();
        using var browser = team.App.CreateBrowser();
        for (var i = 0; i < 5; i++) await browser.LoginAsync(UiTeam.Member, "wrong password " + i);
        var locked = await browser.LoginAsync(UiTeam.Member, Password);

        var unlocked = await AsAdminAsync(team, UiTeam.Owner, async (admin, actor) => await admin.UnlockAsync(actor, await team.App.UserIdAsync(UiTeam.Member), Ct));
        var login = await browser.LoginAsync(UiTeam.Member, Password);

        Assert.Contains("locked", locked.Text);
        Assert.True(unlocked.Succeeded, unlocked.Message);
        Assert.NotEqual("/Account/Login", login.Path);
        var entry = Assert.Single(await AuditAsync(team));
        Assert.Equal((AdminAuditAction.AccountUnlocked, "unlocked"), (entry.Action, entry.NewValue));
        Assert.StartsWith("locked until ", entry.OldValue);
    }

    [Fact]
    public async Task Closed_registration_refuses_even_an_invite_and_the_change_is_audited_with_old_and_new_mode()
    {
        await using var team = await UiTeam.CreateAsync();
        var invite = await team.App.CreateInviteAsync(UiTeam.Owner, team.WorkspaceId);

        var closed = await AsAdminAsync(team, UiTeam.Owner, (admin, actor) => admin.SetRegistrationModeAsync(actor, RegistrationMode.Closed, Ct));
        using var browser = team.App.CreateBrowser();
        var page = await browser.GetAsync($"/Account/Register?invite={Uri.EscapeDataString(invite)}");

        Assert.True(closed.Succeeded, closed.Message);
        Assert.Contains(AccountService.ClosedMessage, page.Text);
        Assert.Null(await team.App.InScopeAsync(sp => sp.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync("newcomer@example.com")));
        var entry = Assert.Single(await AuditAsync(team));
        Assert.Equal((AdminAuditAction.RegistrationModeChanged, "invite-only", "closed", UiTeam.Owner, Address),
            (entry.Action, entry.OldValue, entry.NewValue, entry.ActorEmail, entry.RemoteAddress));
    }

    [Fact]
    public async Task Accounts_are_searched_by_email_and_paged()
    {
        await using var team = await UiTeam.CreateAsync();
        await team.App.InScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<AppUser>>();
            for (var i = 0; i < 23; i++)
            {
                var email = $"designer{i:00}@agency.example";
                Assert.True((await users.CreateAsync(new AppUser { UserName = email, Email = email, CreatedAt = team.App.Clock.GetUtcNow() })).Succeeded);
            }
        });

        var first = await team.App.InScopeAsync(sp => sp.GetRequiredService<AdminService>().ListUsersAsync(null, 1, 10, Ct));
        var third = await team.App.InScopeAsync(sp => sp.GetRequiredService<AdminService>().ListUsersAsync(null, 3, 10, Ct));
        var found = await team.App.InScopeAsync(sp => sp.GetRequiredService<AdminService>().ListUsersAsync("AGENCY.example", 1, 100, Ct));
        var one = await team.App.InScopeAsync(sp => sp.GetRequiredService<AdminService>().ListUsersAsync("designer07", 1, 10, Ct));

        Assert.Equal((25, 3, 10), (first.Total, first.Pages, first.Items.Count));
        Assert.Equal(UiTeam.Owner, first.Items[0].Email);
        Assert.Equal(5, third.Items.Count);
        Assert.Equal(23, found.Total);
        Assert.Equal(["designer07@agency.example"], one.Items.Select(u => u.Email));
    }
}
