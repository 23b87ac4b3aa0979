using System.Text;
using ImageHub.EndToEnd.Infrastructure;
using ImageHub.EndToEnd.Pages;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Admin;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ImageHub.EndToEnd.Oidc;

/// <summary>Sign-in through a real OpenID Connect provider (the npm library oidc-provider on loopback), in Chromium.</summary>
public sealed class OidcSignInTests(OidcFixture app) : IClassFixture<OidcFixture>
{
    [Fact]
    public async Task A_first_sign_in_creates_the_account_linked_by_issuer_and_subject_and_the_designers_group_makes_it_a_member_of_Design()
    {
        var username = await app.NewProviderUserAsync("nora", ["designers"]);
        var page = await app.OpenAsync();

        try
        {
            await new OidcSignInFlow(page, app.BaseUrl).SignInAsync(username, AppFixture.Password);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{app.App.Errors}");
        }

        await Expect(page.Locator("[data-testid=workspace-switcher]")).ToContainTextAsync(OidcFixture.Workspace);
        var account = await AccountAsync($"{username}@example.com");
        var login = Assert.Single(account.Logins);
        Assert.Equal(app.Provider.Issuer.ToString().TrimEnd('/'), login.LoginProvider);
        Assert.Equal(username, login.ProviderKey);
        Assert.Equal(WorkspaceRole.Member, account.Memberships.Single(m => m.WorkspaceId == app.DesignWorkspace).Role);
    }

    [Fact]
    public async Task An_admin_by_group_is_not_sent_to_enrol_and_losing_the_group_removes_the_membership_at_the_next_sign_in_and_at_once_on_the_page_left_open()
    {
        var username = await app.NewProviderUserAsync("lead", ["design-leads"]);
        var email = $"{username}@example.com";
        var first = await app.OpenAsync();
        await new OidcSignInFlow(first, app.BaseUrl).SignInAsync(username, AppFixture.Password);
        Assert.Equal(WorkspaceRole.Admin, (await AccountAsync(email)).Memberships.Single(m => m.WorkspaceId == app.DesignWorkspace).Role);
        // An Admin, with two-factor required for admins: the provider's sign-in is not sent to enrol, also after the
        // security stamp check renewed the cookie.
        app.App.Clock.Advance(TimeSpan.FromMinutes(2));
        await first.GotoAsync($"/workspaces/{app.DesignWorkspace}/settings");
        await Browser.WaitForCircuitAsync(first);
        await Expect(first.Locator("[data-testid=create-invite]")).ToBeVisibleAsync();

        // The provider's administrator takes them out of the group; they sign in again elsewhere.
        await app.Provider.SetUserAsync(username, new OidcUser(AppFixture.Password, email, true, [], "lead"));
        var second = await app.OpenAsync();
        await new OidcSignInFlow(second, app.BaseUrl).SignInAsync(username, AppFixture.Password);

        Assert.DoesNotContain((await AccountAsync(email)).Memberships, m => m.WorkspaceId == app.DesignWorkspace);
        await Expect(first.Locator("[data-testid=membership-lost]")).ToContainTextAsync($"You are no longer a member of {OidcFixture.Workspace}");
    }

    [Fact]
    public async Task A_membership_made_by_an_invite_stays_when_the_group_goes()
    {
        var username = await app.NewProviderUserAsync("ivy", ["designers"]);
        var email = $"{username}@example.com";
        var page = await app.OpenAsync();
        await new OidcSignInFlow(page, app.BaseUrl).SignInAsync(username, AppFixture.Password);
        var studio = await app.App.CreateWorkspaceAsync(AppFixture.AdminEmail, $"Studio {username}");
        var invite = await app.App.CreateInviteAsync(AppFixture.AdminEmail, studio);
        await app.App.InScopeAsync(async sp => Assert.True((await sp.GetRequiredService<WorkspaceService>().AcceptInviteAsync(await app.App.UserIdAsync(email), invite)).Result.Succeeded));

        await app.Provider.SetUserAsync(username, new OidcUser(AppFixture.Password, email, true, [], "ivy"));
        var again = await app.OpenAsync();
        await new OidcSignInFlow(again, app.BaseUrl).SignInAsync(username, AppFixture.Password);

        var memberships = (await AccountAsync(email)).Memberships;
        Assert.DoesNotContain(memberships, m => m.WorkspaceId == app.DesignWorkspace);
        Assert.Contains(memberships, m => m.WorkspaceId == studio);
    }

    [Fact]
    public async Task A_tampered_state_is_refused_with_a_message_on_the_login_page_and_nobody_is_signed_in()
    {
        var username = await app.NewProviderUserAsync("mallory", ["designers"]);
        var page = await app.OpenAsync();
        var flow = new OidcSignInFlow(page, app.BaseUrl);
        await flow.StartAsync();
        var tampered = false;
        await page.RouteAsync("**/signin-oidc", async route =>
        {
            // The provider's answer comes back as a form post: change one character of its state.
            var form = System.Web.HttpUtility.ParseQueryString(route.Request.PostData ?? "");
            var state = form["state"]!;
            var middle = state.Length / 2;
            form["state"] = state[..middle] + (state[middle] == 'A' ? 'B' : 'A') + state[(middle + 1)..];
            tampered = true;
            await route.ContinueAsync(new RouteContinueOptions { PostData = Encoding.UTF8.GetBytes(form.ToString()!) });
        });

        await flow.SubmitAtProviderAsync(username, AppFixture.Password);
        await flow.WaitForLoginPageAsync();

        Assert.True(tampered);
        await Expect(flow.Status).ToContainTextAsync("could not be completed");
        await Browser.ScreenshotAsync(page, "oidc-tampered-state");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ImageHub.Auth");
        Assert.Null(await app.App.InScopeAsync(sp => sp.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync($"{username}@example.com")));
    }

    [Fact]
    public async Task Cancelling_at_the_provider_lands_on_the_login_page_with_a_message()
    {
        await app.NewProviderUserAsync("quitter", []);
        var page = await app.OpenAsync();
        var flow = new OidcSignInFlow(page, app.BaseUrl);
        await flow.StartAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await flow.WaitForLoginPageAsync();

        await Expect(flow.Status).ToContainTextAsync("was cancelled or refused");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ImageHub.Auth");
    }

    [Fact]
    public async Task An_account_with_the_same_verified_email_is_linked_only_after_its_owner_signs_in_with_the_password()
    {
        var email = app.NewEmail("lina");
        await app.App.InScopeAsync(async sp => Assert.True((await sp.GetRequiredService<AccountService>().RegisterAsync(email, AppFixture.Password)).Succeeded));
        var username = await app.NewProviderUserAsync("lina", [], email: email);
        var page = await app.OpenAsync();
        var flow = new OidcSignInFlow(page, app.BaseUrl);

        await flow.StartAsync();
        await flow.SubmitAtProviderAsync(username, AppFixture.Password);
        await flow.WaitForLoginPageAsync();

        await Expect(flow.LinkNote).ToContainTextAsync("An account with this email exists: sign in with your password to link it");
        Assert.Empty((await AccountAsync(email)).Logins); // not on the email alone
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ImageHub.Auth");

        await new LoginPage(page).LogInAsync(email);
        var login = Assert.Single((await AccountAsync(email)).Logins);
        Assert.Equal(username, login.ProviderKey);

        // From now on the provider alone signs them in, to the same account.
        var later = await app.OpenAsync();
        await new OidcSignInFlow(later, app.BaseUrl).SignInAsync(username, AppFixture.Password);
        Assert.Contains(await later.Context.CookiesAsync(), c => c.Name == "ImageHub.Auth");
        Assert.Single((await AccountAsync(email)).Logins);
    }

    [Fact]
    public async Task An_unverified_email_matching_an_account_is_neither_linked_nor_offered_a_link()
    {
        var email = app.NewEmail("uma");
        await app.App.InScopeAsync(async sp => Assert.True((await sp.GetRequiredService<AccountService>().RegisterAsync(email, AppFixture.Password)).Succeeded));
        var username = await app.NewProviderUserAsync("uma", [], emailVerified: false, email: email);
        var page = await app.OpenAsync();
        var flow = new OidcSignInFlow(page, app.BaseUrl);

        await flow.StartAsync();
        await flow.SubmitAtProviderAsync(username, AppFixture.Password);
        await flow.WaitForLoginPageAsync();

        await Expect(flow.Status).ToContainTextAsync("does not say the email is verified");
        await Expect(flow.LinkNote).ToHaveCountAsync(0);
        Assert.Empty((await AccountAsync(email)).Logins);
    }

    [Fact]
    public async Task A_disabled_account_cannot_sign_in_through_the_provider()
    {
        var username = await app.NewProviderUserAsync("dora", ["designers"]);
        var email = $"{username}@example.com";
        var page = await app.OpenAsync();
        await new OidcSignInFlow(page, app.BaseUrl).SignInAsync(username, AppFixture.Password);
        await app.App.InScopeAsync(async sp =>
        {
            var admin = await app.App.UserIdAsync(AppFixture.AdminEmail);
            Assert.True((await sp.GetRequiredService<AdminService>().SetDisabledAsync(new AdminActor(admin), await app.App.UserIdAsync(email), disabled: true)).Succeeded);
        });

        var again = await app.OpenAsync();
        var flow = new OidcSignInFlow(again, app.BaseUrl);
        await flow.StartAsync();
        await flow.SubmitAtProviderAsync(username, AppFixture.Password);
        await flow.WaitForLoginPageAsync();

        await Expect(flow.Status).ToContainTextAsync("This account is disabled");
        Assert.DoesNotContain(await again.Context.CookiesAsync(), c => c.Name == "ImageHub.Auth");
    }

    [Fact]
    public async Task Invite_only_registration_lets_the_provider_create_accounts_only_for_people_a_mapping_places()
    {
        await app.App.InScopeAsync(sp => sp.GetRequiredService<AccountService>().SetRegistrationModeAsync(RegistrationMode.InviteOnly));
        try
        {
            var outsider = await app.NewProviderUserAsync("otto", ["marketing"]);
            var page = await app.OpenAsync();
            var flow = new OidcSignInFlow(page, app.BaseUrl);
            await flow.StartAsync();
            await flow.SubmitAtProviderAsync(outsider, AppFixture.Password);
            await flow.WaitForLoginPageAsync();
            await Expect(flow.Status).ToContainTextAsync("takes no new accounts this way");
            Assert.Null(await app.App.InScopeAsync(sp => sp.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync($"{outsider}@example.com")));

            var designer = await app.NewProviderUserAsync("dina", ["designers"]);
            var other = await app.OpenAsync();
            await new OidcSignInFlow(other, app.BaseUrl).SignInAsync(designer, AppFixture.Password);
            Assert.Contains((await AccountAsync($"{designer}@example.com")).Memberships, m => m.WorkspaceId == app.DesignWorkspace);
        }
        finally
        {
            await app.App.InScopeAsync(sp => sp.GetRequiredService<AccountService>().SetRegistrationModeAsync(RegistrationMode.Open));
        }
    }

    [Theory]
    [InlineData("desktop", ColorScheme.Light)]
    [InlineData("desktop", ColorScheme.Dark)]
    [InlineData("phone", ColorScheme.Light)]
    [InlineData("phone", ColorScheme.Dark)]
    public async Task The_login_page_offers_the_provider_beside_the_password_form(string screen, ColorScheme theme)
    {
        var page = await app.OpenAsync(screen == "phone" ? Viewports.Phone : Viewports.Desktop, theme);
        await page.GotoAsync("/Account/Login");

        await Expect(page.Locator("[data-testid=oidc-signin]")).ToHaveTextAsync("Sign in with Test IdP");
        await Expect(page.Locator("#password")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, $"oidc-login-{screen}-{theme.ToString().ToLowerInvariant()}");
    }

    private sealed record Account(IList<UserLoginInfo> Logins, IReadOnlyList<MembershipInfo> Memberships);

    private Task<Account> AccountAsync(string email) => app.App.InScopeAsync(async sp =>
    {
        var users = sp.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        Assert.NotNull(user);
        return new Account(await users.GetLoginsAsync(user), await sp.GetRequiredService<WorkspaceDirectory>().ListForUserAsync(user.Id));
    });
}
