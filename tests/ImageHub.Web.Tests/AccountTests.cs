using System.Net;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests;

public sealed class AccountTests
{
    private const string Password = "correct horse battery";

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_newcomer_registers_and_logs_in_again_later(DatabaseKind kind)
    {
        await using var app = ImageHubApp.Create(kind);
        using var first = app.CreateBrowser();

        var registered = await first.RegisterAsync("ada@example.com", Password);
        using var later = app.CreateBrowser();
        var loggedIn = await later.LoginAsync("ada@example.com", Password);

        Assert.Equal("/", registered.Path);
        Assert.Contains("You are not in a workspace yet", registered.Text);
        Assert.Equal("/", loggedIn.Path);
        Assert.Contains("ada@example.com", loggedIn.Html); // the account menu is named after the account
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task The_first_account_becomes_the_instance_administrator_and_later_ones_do_not(DatabaseKind kind)
    {
        await using var app = ImageHubApp.Create(kind);
        using var first = app.CreateBrowser();
        using var second = app.CreateBrowser();
        await first.RegisterAsync("first@example.com", Password);
        await app.InScopeAsync(sp => sp.GetRequiredService<AccountService>().SetRegistrationModeAsync(RegistrationMode.Open));
        await second.RegisterAsync("second@example.com", Password);

        var adminForFirst = await first.GetAsync("/admin");
        var adminForSecond = await second.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.OK, adminForFirst.Status);
        Assert.Contains("Invite-only", adminForFirst.Text);
        Assert.Contains("second@example.com", adminForFirst.Text);
        Assert.Equal(HttpStatusCode.Forbidden, adminForSecond.Status);
        Assert.Contains("You do not have permission to open this page", adminForSecond.Text);
    }

    [Fact]
    public async Task After_the_first_account_registration_is_invite_only_by_default()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var first = app.CreateBrowser();
        using var stranger = app.CreateBrowser();
        await first.RegisterAsync("owner@example.com", Password);

        var form = await stranger.GetAsync("/Account/Register");
        var userCount = await app.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<UserManager<AppUser>>().Users.Count()));

        Assert.Contains(AccountService.InviteOnlyMessage, form.Text);
        Assert.DoesNotContain("Create account", form.Text);
        Assert.Equal(1, userCount);
    }

    [Fact]
    public async Task The_login_page_offers_an_account_only_where_one_can_be_made()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var first = app.CreateBrowser();
        using var stranger = app.CreateBrowser();
        var beforeAnyAccount = await stranger.GetAsync("/Account/Login");
        await first.RegisterAsync("owner@example.com", Password);

        var inviteOnly = await stranger.GetAsync("/Account/Login");
        var withInvite = await stranger.GetAsync("/Account/Login?ReturnUrl=%2Finvite%2Fsome-token");

        Assert.Contains("Create an account", beforeAnyAccount.Text);
        Assert.DoesNotContain("Create an account", inviteOnly.Text);
        Assert.Contains("ask a workspace owner for an invite link", inviteOnly.Text);
        Assert.Contains("Create an account", withInvite.Text);
    }

    [Fact]
    public async Task Registering_an_email_that_already_has_an_account_says_so_next_to_the_email()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var first = app.CreateBrowser();
        using var again = app.CreateBrowser();
        await first.RegisterAsync("dup@example.com", Password);
        await app.InScopeAsync(sp => sp.GetRequiredService<AccountService>().SetRegistrationModeAsync(RegistrationMode.Open));

        var page = await again.RegisterAsync("DUP@example.com", Password);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("/Account/Register", page.Path);
        Assert.Contains("An account with this email already exists", page.Text);
    }

    [Fact]
    public async Task A_weak_password_is_refused_with_the_rule_it_breaks()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();

        var tooShort = await browser.RegisterAsync("weak@example.com", "abc12");
        var repetitive = await browser.RegisterAsync("weak@example.com", "aaaaaaaaaaaaaa");

        Assert.Contains("The password must be at least 12 characters long.", tooShort.Text);
        Assert.Contains("Passwords must use at least 4 different characters.", repetitive.Text);
        Assert.False(await app.InScopeAsync(sp => sp.GetRequiredService<AccountService>().AnyAccountExistsAsync()));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_five_of_them_lock_the_account()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using (var owner = app.CreateBrowser()) await owner.RegisterAsync("lock@example.com", Password);
        using var attacker = app.CreateBrowser();

        var wrong = await attacker.LoginAsync("lock@example.com", "not the password");
        for (var i = 0; i < 4; i++) await attacker.LoginAsync("lock@example.com", "not the password");
        var rightButLocked = await attacker.LoginAsync("lock@example.com", Password);

        Assert.Equal("/Account/Login", wrong.Path);
        Assert.Contains("Wrong email or password", wrong.Text);
        Assert.Equal("/Account/Login", rightButLocked.Path);
        Assert.Contains("This account is locked after 5 failed attempts", rightButLocked.Text);
    }

    [Fact]
    public async Task Changing_the_password_makes_the_new_one_the_only_one_that_works()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();
        await browser.RegisterAsync("change@example.com", Password);

        var wrongCurrent = await browser.SubmitFormAsync("/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = "not it at all", ["Input.NewPassword"] = "a brand new secret", ["Input.ConfirmPassword"] = "a brand new secret",
        });
        var changed = await browser.SubmitFormAsync("/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = Password, ["Input.NewPassword"] = "a brand new secret", ["Input.ConfirmPassword"] = "a brand new secret",
        });
        using var other = app.CreateBrowser();
        var oldLogin = await other.LoginAsync("change@example.com", Password);
        var newLogin = await other.LoginAsync("change@example.com", "a brand new secret");

        Assert.Contains("The current password is wrong.", wrongCurrent.Text);
        Assert.Contains("Your password has been changed.", changed.Text);
        Assert.Contains("Wrong email or password", oldLogin.Text);
        Assert.Equal("/", newLogin.Path);
    }

    [Fact]
    public async Task Pages_need_a_login_and_send_visitors_to_it()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var visitor = app.CreateBrowser();

        var page = await visitor.GetAsync("/gallery");

        Assert.Equal("/Account/Login", page.Path);
        Assert.Equal("?ReturnUrl=%2Fgallery", page.Url.Query);
    }

    [Fact]
    public async Task Logging_out_ends_the_session()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();
        var home = await browser.RegisterAsync("bye@example.com", Password);

        var token = System.Text.RegularExpressions.Regex.Match(home.Html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var logout = await browser.Http.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token), ["returnUrl"] = "",
        }), TestContext.Current.CancellationToken);
        var after = await browser.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("/Account/Login", after.Path);
    }
}
