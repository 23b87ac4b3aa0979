using System.Security.Claims;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Tests.Oidc;

/// <summary>The Oidc:* settings, the handler they configure, and the linking rules, without a provider (the Playwright tests run a real one).</summary>
public sealed class OidcSettingsTests
{
    private static Dictionary<string, string?> Valid(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Oidc:Authority"] = "https://idp.example.com/realms/acme",
            ["Oidc:ClientId"] = "imagehub",
            ["Oidc:ClientSecret"] = "secret",
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    [Theory]
    [InlineData("Oidc:Authority", "http://idp.example.com", "Oidc:Authority must be the provider's https:// issuer URL")]
    [InlineData("Oidc:ClientId", "", "Oidc:ClientId is empty.")]
    [InlineData("Oidc:Scopes", "profile email", "Oidc:Scopes must include openid")]
    [InlineData("Oidc:WorkspaceMappings:0:Role", "Owner", "Oidc:WorkspaceMappings:0:Role must be Member or Admin")]
    [InlineData("Oidc:RoleClaim", "", "Oidc:WorkspaceMappings needs Oidc:RoleClaim")]
    public async Task A_bad_oidc_setting_stops_the_start_with_a_message_naming_it(string setting, string value, string message)
    {
        var settings = Valid(("Oidc:RoleClaim", "groups"), ("Oidc:WorkspaceMappings:0:ClaimValue", "designers"),
            ("Oidc:WorkspaceMappings:0:Workspace", "Design"), ("Oidc:WorkspaceMappings:0:Role", "Member"));
        settings[setting] = value;
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, settings);

        var refused = Record.Exception(() => app.Services);

        Assert.NotNull(refused);
        Assert.Contains(message, Messages(refused));
    }

    [Fact]
    public async Task Turning_local_login_off_without_a_provider_stops_the_start()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Oidc:DisableLocalLogin"] = "true" });

        var refused = Record.Exception(() => app.Services);

        Assert.NotNull(refused);
        Assert.Contains("Oidc:DisableLocalLogin is true but Oidc:Authority is empty", Messages(refused));
    }

    [Fact]
    public async Task The_handler_uses_the_code_flow_with_pkce_and_keeps_state_nonce_and_issuer_validation()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, Valid());

        var options = app.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OidcOptions.Scheme);
        var scheme = await app.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(OidcOptions.Scheme);

        Assert.NotNull(scheme);
        Assert.Equal("code", options.ResponseType);
        Assert.True(options.UsePkce);
        Assert.True(options.ProtocolValidator.RequireState);
        Assert.True(options.ProtocolValidator.RequireNonce);
        // The handler checks the state itself (it must unprotect, and match the correlation cookie): the Playwright test
        // with a tampered state shows it refused; ProtocolValidator.RequireStateValidation is off by ASP.NET's design.
        Assert.True(options.TokenValidationParameters.ValidateIssuer);
        Assert.True(options.TokenValidationParameters.ValidateAudience);
        Assert.False(options.SkipUnrecognizedRequests);
        Assert.True(options.RequireHttpsMetadata);
        Assert.Equal(IdentityConstants.ExternalScheme, options.SignInScheme);
        Assert.Equal("/signin-oidc", options.CallbackPath);
    }

    [Fact]
    public async Task Without_an_authority_there_is_no_provider_button_and_no_scheme()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();

        var login = await browser.GetAsync("/Account/Login");
        var scheme = await app.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(OidcOptions.Scheme);

        Assert.DoesNotContain("Sign in with", login.Text);
        Assert.Null(scheme);
    }

    [Fact]
    public async Task An_account_with_the_same_verified_email_is_offered_a_link_and_not_linked_until_its_own_password_sign_in()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, Valid());
        await app.InScopeAsync(async sp =>
        {
            var accounts = sp.GetRequiredService<AccountService>();
            Assert.True((await accounts.RegisterAsync("ann@example.com", Arrange.Password)).Succeeded);
            await accounts.SetRegistrationModeAsync(RegistrationMode.Open);
            Assert.True((await accounts.RegisterAsync("bob@example.com", Arrange.Password)).Succeeded);
        });

        // The provider says: subject 42 at this issuer, ann@example.com, verified.
        var offer = new DefaultHttpContext();
        var result = await app.InScopeAsync(async sp =>
        {
            offer.RequestServices = sp;
            return await sp.GetRequiredService<OidcSignIn>().SignInAsync(offer, Principal("42", "ann@example.com", verified: true), "/gallery");
        });

        Assert.StartsWith("/Account/Login?link=1", result.RedirectTo, StringComparison.Ordinal);
        Assert.Empty(await LoginsAsync(app, "ann@example.com"));

        // Someone else's password does not take the link; it is forgotten.
        var cookie = offer.Response.Headers.SetCookie.ToString().Split(';')[0];
        Assert.False(await CompleteAsync(app, cookie, "bob@example.com"));
        Assert.Empty(await LoginsAsync(app, "bob@example.com"));

        // The account's own password sign-in makes it.
        Assert.True(await CompleteAsync(app, cookie, "ann@example.com"));
        var login = Assert.Single(await LoginsAsync(app, "ann@example.com"));
        Assert.Equal("https://idp.example.com/realms/acme", login.LoginProvider);
        Assert.Equal("42", login.ProviderKey);
    }

    [Fact]
    public async Task An_unverified_email_matching_an_account_is_refused_without_a_link_offer()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, Valid());
        await app.InScopeAsync(async sp => Assert.True((await sp.GetRequiredService<AccountService>().RegisterAsync("cy@example.com", Arrange.Password)).Succeeded));

        var http = new DefaultHttpContext();
        var result = await app.InScopeAsync(async sp =>
        {
            http.RequestServices = sp;
            return await sp.GetRequiredService<OidcSignIn>().SignInAsync(http, Principal("7", "cy@example.com", verified: false), null);
        });

        Assert.Equal("/Account/Login?error=emailnotverified", result.RedirectTo);
        Assert.Equal(0, http.Response.Headers.SetCookie.Count);
        Assert.Empty(await LoginsAsync(app, "cy@example.com"));
    }

    [Fact]
    public async Task A_mapping_by_name_ignores_a_workspace_of_that_name_that_no_administrator_made()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, Valid(("Oidc:RoleClaim", "groups"),
            ("Oidc:WorkspaceMappings:0:ClaimValue", "designers"), ("Oidc:WorkspaceMappings:0:Workspace", "Design"), ("Oidc:WorkspaceMappings:0:Role", "Admin")));
        await app.InScopeAsync(async sp =>
        {
            var accounts = sp.GetRequiredService<AccountService>();
            Assert.True((await accounts.RegisterAsync("root@example.com", Arrange.Password)).Succeeded); // the first: administrator
            await accounts.SetRegistrationModeAsync(RegistrationMode.Open);
            Assert.True((await accounts.RegisterAsync("mallory@example.com", Arrange.Password)).Succeeded);
            Assert.True((await accounts.RegisterAsync("dev@example.com", Arrange.Password)).Succeeded);
        });
        var decoy = await app.CreateWorkspaceAsync("mallory@example.com", "Design");
        var dev = await app.UserIdAsync("dev@example.com");

        await ApplyAsync(app, dev, "designers");
        Assert.DoesNotContain(await MembershipsAsync(app, dev), m => m.WorkspaceId == decoy);

        var design = await app.CreateWorkspaceAsync("root@example.com", "Design");
        await ApplyAsync(app, dev, "designers");
        var memberships = await MembershipsAsync(app, dev);
        Assert.Equal(WorkspaceRole.Admin, memberships.Single(m => m.WorkspaceId == design).Role);
        Assert.DoesNotContain(memberships, m => m.WorkspaceId == decoy);
    }

    private static Task ApplyAsync(ImageHubApp app, Guid userId, params string[] groups) =>
        app.InScopeAsync(sp => sp.GetRequiredService<OidcWorkspaceMappings>().ApplyAsync(userId, groups.ToHashSet(StringComparer.Ordinal)));

    private static Task<IReadOnlyList<MembershipInfo>> MembershipsAsync(ImageHubApp app, Guid userId) =>
        app.InScopeAsync(sp => sp.GetRequiredService<WorkspaceDirectory>().ListForUserAsync(userId));

    private static ClaimsPrincipal Principal(string subject, string email, bool verified)
    {
        const string issuer = "https://idp.example.com/realms/acme";
        return new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("sub", subject, ClaimValueTypes.String, issuer),
            new Claim("email", email, ClaimValueTypes.String, issuer),
            new Claim("email_verified", verified ? "true" : "false", ClaimValueTypes.Boolean, issuer),
        ], "oidc"));
    }

    private static Task<bool> CompleteAsync(ImageHubApp app, string cookie, string email) => app.InScopeAsync(async sp =>
    {
        var http = new DefaultHttpContext { RequestServices = sp };
        http.Request.Headers.Cookie = cookie;
        var user = await sp.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email);
        return await sp.GetRequiredService<OidcSignIn>().CompletePendingLinkAsync(http, user!);
    });

    private static Task<IList<UserLoginInfo>> LoginsAsync(ImageHubApp app, string email) => app.InScopeAsync(async sp =>
    {
        var users = sp.GetRequiredService<UserManager<AppUser>>();
        return await users.GetLoginsAsync((await users.FindByEmailAsync(email))!);
    });

    private static string Messages(Exception e)
    {
        var all = new List<string>();
        void Walk(Exception? x)
        {
            for (; x is not null; x = x.InnerException)
            {
                all.Add(x.Message);
                if (x is AggregateException aggregate) foreach (var inner in aggregate.InnerExceptions) Walk(inner);
            }
        }
        Walk(e);
        return string.Join(" | ", all);
    }
}
