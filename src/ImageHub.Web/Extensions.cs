using ImageHub.Web.Components;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Compose;
using ImageHub.Web.Features.Events;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Features.Sharing;
using ImageHub.Web.Features.Spend;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure;
using ImageHub.Web.Infrastructure.Audit;
using ImageHub.Web.Infrastructure.Images;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace ImageHub.Web;

/// <summary>The app's registration (eShop's Extensions.cs style): Program.cs calls these two.</summary>
public static class Extensions
{
    public static WebApplicationBuilder AddImageHub(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // Storage: one folder for everything the app writes, resolved against the content root.
        // Every options class is bound with BindConfiguration and checked on start: a bad setting stops the start
        // with a message naming it (UseImageHubAsync validates before it touches the database).
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Root), "Storage:Root is empty. Set it to the folder the app may write, e.g. --Storage:Root=./data.")
            .PostConfigure<IHostEnvironment>((o, env) => o.FullRoot = string.IsNullOrWhiteSpace(o.Root) ? "" : Path.GetFullPath(Path.Combine(env.ContentRootPath, o.Root)))
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddImageHubDatabase();

        // Data Protection: one key ring in the database, shared by every instance, encrypted with a certificate.
        services.AddEncryptedKeyRing();

        // Provider clients; in sandbox mode (Sandbox:Enabled) they talk to the emulated APIs on loopback.
        services.AddProvidersWithSandboxMode(builder.Configuration);

        // The app's own image store (content-addressed files under Storage:Root, libvips thumbnails).
        services.AddImageStore();

        // Generations (Features/Jobs: queue, worker, ledger, pricing) and the REST API with its tokens (Features/Api).
        services.AddJobs();
        services.AddSpend(); // Features/Spend: prices, the spend queries
        services.AddImageHubApi();
        services.AddEvents(); // Features/Events: changes between instances, the event log behind /api/v1/events
        services.AddImageHubTelemetry(); // Infrastructure/Telemetry*: OpenTelemetry, /metrics, one log line per provider call

        // The provider key vault (Features/Keys): encrypted keys, the key-resolution rule, the audit log.
        services.AddAuditActors();
        services.AddKeyVault();

        // One error model: Outcome/Failure mapped to RFC 7807 problems, one JSON strictness for every endpoint.
        services.AddImageHubErrors();

        // Accounts.
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddAuthentication(o =>
        {
            o.DefaultScheme = IdentityConstants.ApplicationScheme;
            o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
        }).AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "ImageHub.Auth";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure on HTTPS, directly or through X-Forwarded-Proto
            o.Events.OnValidatePrincipal = AccountSessions.ValidatePrincipalAsync; // ended sessions first, then the security stamp
            o.Events.OnRedirectToLogin = ApiAwareRedirect(StatusCodes.Status401Unauthorized, o.Events.OnRedirectToLogin);
            o.Events.OnRedirectToAccessDenied = ApiAwareRedirect(StatusCodes.Status403Forbidden, o.Events.OnRedirectToAccessDenied);
        });
        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = PasswordPolicy.MinimumLength;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddUserManager<AppUserManager>()
            .AddSignInManager<AppSignInManager>()
            .AddPasswordValidator<PasswordPolicy>()
            .AddClaimsPrincipalFactory<AppUserClaimsPrincipalFactory>()
            // The one token provider in use: authenticator-app codes, each accepted once per account (in place of
            // Identity's AuthenticatorTokenProvider; no email, phone or data-protection tokens are issued here).
            .AddTokenProvider<SingleUseAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.AdminEmail) == string.IsNullOrWhiteSpace(o.AdminPassword),
                "Bootstrap:AdminEmail and Bootstrap:AdminPassword go together: set both for an unattended install, or neither.")
            .Validate(o => string.IsNullOrWhiteSpace(o.AdminEmail) || o.AdminEmail.Contains('@', StringComparison.Ordinal),
                "Bootstrap:AdminEmail must be an email address.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Workspace), "Bootstrap:Workspace is empty. Name the first workspace, e.g. Default.")
            .ValidateOnStart();
        services.AddScoped<AccountService>();
        services.AddScoped<LoginService>();
        services.AddSingleton<UnknownLoginAttempts>();
        services.AddIdentityRateLimits();
        services.AddScoped<BootstrapService>();
        services.AddOidcSignIn(); // Features/Account/Oidc*: Oidc:* settings, the handler when Oidc:Authority is set
        // Every cookie's security stamp is re-checked a minute after the last check (on the app's clock); in this process
        // an ended session (disabled account, reset two-factor) is refused at its next request (AccountSessions).
        services.AddOptions<SecurityStampValidatorOptions>().Configure<TimeProvider>((o, time) =>
        {
            o.ValidationInterval = TimeSpan.FromMinutes(1);
            o.TimeProvider = time;
        });
        services.AddSingleton<AccountSessions>();
        services.AddHostedService<AccountSessionsAtStart>();
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section);
        services.AddScoped<TwoFactorPolicy>();
        services.AddScoped<CircuitHandler, AccountSessionCircuitHandler>();
        services.AddScoped<Features.Admin.AdminService>();
        services.AddScoped<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, InstanceAdminHandler>();

        // Workspaces and the one authorization mechanism.
        services.AddOptions<WorkspaceOptions>().BindConfiguration(WorkspaceOptions.Section)
            .Validate(o => o.InviteLifetime >= TimeSpan.FromMinutes(1) && o.InviteLifetime <= TimeSpan.FromDays(365),
                "Workspaces:InviteLifetime must be between 00:01:00 (a minute) and 365.00:00:00 (a year).")
            .ValidateOnStart();
        services.AddScoped<CurrentWorkspace>();
        services.AddScoped<WorkspaceDirectory>();
        services.AddScoped<WorkspaceService>();
        services.AddScoped<WorkspaceAccess>();
        services.AddSingleton<MembershipNotifier>();
        services.AddScoped<CircuitHandler, WorkspaceCircuitHandler>();
        services.AddScoped<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, WorkspaceRoleHandler>();
        services.AddAuthorizationBuilder().AddImageHubPolicies();

        // UI.
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddSingleton<ImageHub.Web.Components.Layout.DevicePalette>();
        services.AddComposePages(); // Features/Compose: the composer, gallery and spend pages' services
        services.AddGalleryAndSharing(); // Features/Gallery + Features/Sharing: stars, boards, trash, share links
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);

        // HTTP: no Server header; HSTS (outside Development) for a year on HTTPS requests.
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));

        // Health: live = the process answers; ready = the database answers, the storage folder takes a write, the worker (where it runs) turns.
        services.AddHealthChecks().AddDbContextCheck<AppDbContext>("database", tags: ["ready"])
            .AddCheck<StorageHealthCheck>("storage", tags: ["ready"]) // Infrastructure/TelemetryHealthChecks.cs
            .AddCheck<WorkerHealthCheck>("worker", tags: ["ready"]);

        // Behind a proxy: honour X-Forwarded-For/Proto only when asked to.
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            var known = builder.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [];
            if (known.Length == 0)
            {
                // Trust whichever proxy sits in front (the operator enabled this on purpose).
                o.KnownIPNetworks.Clear();
                o.KnownProxies.Clear();
            }
            else
            {
                foreach (var address in known) o.KnownProxies.Add(System.Net.IPAddress.Parse(address));
            }
        });

        return builder;
    }

    public static async Task<WebApplication> UseImageHubAsync(this WebApplication app)
    {
        // The settings first (ValidateOnStart): a bad one stops here with its name, before the database is touched.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        await app.Services.MigrateImageHubDatabaseAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<BootstrapService>().RunAsync();
        }

        if (app.Configuration.GetValue<bool>("ForwardedHeaders:Enabled"))
        {
            app.UseForwardedHeaders();
        }

        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseRateLimiter();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
            app.UseHsts();
        }
        app.UseMiddleware<ApiBodyLimitMiddleware>();
        // People get the not-found/denied page; the API's status codes (401/403/404 with or without a problem body)
        // reach its clients as they are (a re-executed API POST would also fail antiforgery).
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        // ...and never for a POST (or any method but GET/HEAD): re-executing it would run the form handling again.
        app.Use((http, next) =>
        {
            if ((http.Request.Path.StartsWithSegments("/api") || !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)))
                && http.Features.Get<IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }
            return next(http);
        });

        app.MapImageHubTelemetry(); // /metrics when Telemetry:Prometheus is true
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });

        app.UseAuthentication();
        app.UseMiddleware<TwoFactorRequirementMiddleware>(); // Security:RequireTwoFactorForAdmins
        app.UseMiddleware<WorkspaceMiddleware>();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseLocalLoginGuard(); // Oidc:DisableLocalLogin refuses password and registration posts

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAccountEndpoints();
        app.MapOidcEndpoints(); // POST /Account/ExternalLogin, GET /Account/ExternalLogin/Callback
        app.MapImageEndpoints(); // Features/Gallery: /images/{id} and its thumbnail
        app.MapImageHubApi(); // /openapi/v1.json
        app.MapGenerationApi(); // Features/Jobs: /api/v1/generations and /api/v1/providers
        app.MapGalleryAndSharing(); // /api/v1/images, /api/v1/boards, /api/v1/shares and the public /s/{token}
        app.MapSpendApi(); // /api/v1/spend, budgets, webhooks, export, reviews
        app.MapEventStream(); // Features/Events: GET /api/v1/events (Server-Sent Events)
        app.MapKeyEndpoints();
        return app;
    }

    /// <summary>Requests under /api and /health get a status code instead of a redirect to a page.</summary>
    private static Func<Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions>, Task> ApiAwareRedirect(
        int statusCode, Func<Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions>, Task> pageRedirect) =>
        context =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                context.Response.StatusCode = statusCode;
                return Task.CompletedTask;
            }
            return pageRedirect(context);
        };
}
