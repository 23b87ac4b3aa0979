using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ImageHub.Web.Features.Account;

/// <summary>OpenID Connect sign-in (<c>Oidc:*</c>): the settings, the handler, the two endpoints and the local-login guard.</summary>
public static class OidcExtensions
{
    public const string ChallengePath = "/Account/ExternalLogin";
    public const string CallbackPath = "/Account/ExternalLogin/Callback";

    public static IServiceCollection AddOidcSignIn(this IServiceCollection services)
    {
        services.AddOptions<OidcOptions>().BindConfiguration(OidcOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OidcOptions>, OidcOptionsValidator>();
        services.AddScoped<OidcSignIn>();
        services.AddScoped<OidcWorkspaceMappings>();

        // A session signed in through the provider keeps its authentication method (the issuer) when the security stamp
        // check renews the cookie, so the two-factor requirement keeps leaving it to the provider.
        services.Configure<SecurityStampValidatorOptions>(o => o.OnRefreshingPrincipal = context =>
        {
            if (context.CurrentPrincipal?.FindFirst(ClaimTypes.AuthenticationMethod) is { } method
                && context.NewPrincipal?.Identity is ClaimsIdentity renewed && !renewed.HasClaim(c => c.Type == ClaimTypes.AuthenticationMethod))
            {
                renewed.AddClaim(new Claim(ClaimTypes.AuthenticationMethod, method.Value));
            }
            return Task.CompletedTask;
        });

        // The scheme exists only while Oidc:Authority is set. Decided when the authentication options are first read, from
        // the final configuration (a test host's settings arrive after registration): AddOpenIdConnect's pieces by hand.
        services.AddAuthentication();
        services.AddTransient<OpenIdConnectHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectPostConfigureOptions>());
        services.AddOptions<AuthenticationOptions>().Configure<IOptions<OidcOptions>>((auth, settings) =>
        {
            if (settings.Value.Enabled) auth.AddScheme(OidcOptions.Scheme, scheme =>
            {
                scheme.HandlerType = typeof(OpenIdConnectHandler);
                scheme.DisplayName = settings.Value.DisplayName;
            });
        });
        services.AddOptions<OpenIdConnectOptions>(OidcOptions.Scheme).Configure<IOptions<OidcOptions>>((o, settings) =>
        {
            var s = settings.Value;
            o.Authority = s.Authority.Trim();
            o.RequireHttpsMetadata = o.Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase); // http only on loopback (OidcOptionsValidator)
            o.ClientId = s.ClientId;
            o.ClientSecret = string.IsNullOrEmpty(s.ClientSecret) ? null : s.ClientSecret;
            o.SignInScheme = IdentityConstants.ExternalScheme;
            o.CallbackPath = "/signin-oidc";
            // Authorization code flow with PKCE. State, nonce and issuer are validated by the handler's defaults
            // (ProtocolValidator.RequireState/RequireNonce, TokenValidationParameters.ValidateIssuer): left as they are.
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            o.MapInboundClaims = false; // "sub", "email", the role claim: as the provider names them
            o.GetClaimsFromUserInfoEndpoint = true; // many providers put email and groups in the user info only
            o.SaveTokens = false; // only the ID token is kept (OnTokenValidated), for signing out at the provider
            o.Scope.Clear();
            foreach (var scope in s.ScopeList) o.Scope.Add(scope);
            o.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
            if (!string.IsNullOrWhiteSpace(s.RoleClaim)) o.ClaimActions.MapJsonKey(s.RoleClaim, s.RoleClaim);
            o.TokenValidationParameters.NameClaimType = "name";
            o.Events.OnTokenValidated = context =>
            {
                // The ID token goes with the sign-in (the external cookie, then the session's cookie) as the end-session
                // request's id_token_hint; the access and refresh tokens are not kept.
                var idToken = context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken;
                if (!string.IsNullOrEmpty(idToken)) context.Properties?.StoreTokens([new AuthenticationToken { Name = OidcSignOut.IdToken, Value = idToken }]);
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToIdentityProviderForSignOut = OidcSignOut.RedirectToEndSessionAsync;
            o.Events.OnAccessDenied = context =>
            {
                context.Response.Redirect(OidcSignIn.LoginWith(OidcProblem.Denied, ReturnUrlOf(context.Properties)));
                context.HandleResponse();
                return Task.CompletedTask;
            };
            o.Events.OnRemoteFailure = context =>
            {
                // An error answer, a tampered or replayed state, a missing correlation cookie, a bad token: the person
                // lands on the login form with a message, the details go to the log.
                var error = context.Failure?.Data["error"] as string;
                context.HttpContext.RequestServices.GetRequiredService<ILogger<OidcSignIn>>()
                    .LogWarning("OpenID Connect sign-in failed ({Error}): {Message}", error ?? "no error code", context.Failure?.Message);
                context.Response.Redirect(OidcSignIn.LoginWith(error == "access_denied" ? OidcProblem.Denied : OidcProblem.Failed, ReturnUrlOf(context.Properties)));
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
        return services;
    }

    private static string? ReturnUrlOf(AuthenticationProperties? properties)
    {
        // The callback address holds the page to go back to: /Account/ExternalLogin/Callback?ReturnUrl=...
        var redirect = properties?.RedirectUri;
        var query = redirect is null ? -1 : redirect.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? null : Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(redirect![query..]).TryGetValue("ReturnUrl", out var value) ? value.ToString() : null;
    }

    /// <summary>POST /Account/ExternalLogin (the login page's button) and GET /Account/ExternalLogin/Callback.</summary>
    public static IEndpointRouteBuilder MapOidcEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(ChallengePath, async (HttpContext http, IAntiforgery antiforgery, SignInManager<AppUser> signInManager,
            IOptions<OidcOptions> options, ILogger<OidcSignIn> logger) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var returnUrl = LocalUrl.OrRoot(form["ReturnUrl"]);
            if (!options.Value.Enabled) return Results.NotFound();
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                // A stale login page: start again from a fresh one.
                return Results.LocalRedirect(OidcSignIn.LoginWith(OidcProblem.Failed, returnUrl));
            }
            var callback = returnUrl == "/" ? CallbackPath : $"{CallbackPath}?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
            var properties = signInManager.ConfigureExternalAuthenticationProperties(OidcOptions.Scheme, callback);
            try
            {
                await http.ChallengeAsync(OidcOptions.Scheme, properties);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Mostly: the provider's discovery document could not be fetched.
                logger.LogError(e, "OpenID Connect sign-in could not start: is Oidc:Authority reachable from this server?");
                return Results.LocalRedirect(OidcSignIn.LoginWith(OidcProblem.Unavailable, returnUrl));
            }
            return Results.Empty;
        }).DisableAntiforgery();

        endpoints.MapGet(CallbackPath, async (HttpContext http, OidcSignIn signIn, string? returnUrl) =>
        {
            var external = await http.AuthenticateAsync(IdentityConstants.ExternalScheme);
            await http.SignOutAsync(IdentityConstants.ExternalScheme);
            if (!external.Succeeded || external.Principal is null)
            {
                return Results.LocalRedirect(OidcSignIn.LoginWith(OidcProblem.Failed, returnUrl));
            }
            var result = await signIn.SignInAsync(http, external.Principal, returnUrl, external.Properties?.GetTokenValue(OidcSignOut.IdToken));
            return Results.LocalRedirect(result.RedirectTo);
        });
        return endpoints;
    }

    /// <summary>
    /// With <c>Oidc:DisableLocalLogin</c> the password and registration forms are not shown, and a POST to them is
    /// refused here too (a 403 page), except the password that links an account the provider's sign-in found by email.
    /// </summary>
    public static IApplicationBuilder UseLocalLoginGuard(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var path = http.Request.Path.Value?.TrimEnd('/') ?? "";
        var register = path.Equals("/Account/Register", StringComparison.OrdinalIgnoreCase);
        if (HttpMethods.IsPost(http.Request.Method)
            && (register || path.Equals("/Account/Login", StringComparison.OrdinalIgnoreCase))
            && http.RequestServices.GetRequiredService<IOptions<OidcOptions>>().Value is { LocalLoginDisabled: true } settings
            && (register || http.RequestServices.GetRequiredService<OidcSignIn>().ReadPendingLink(http) is null))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            http.Response.ContentType = "text/html; charset=utf-8";
            var name = System.Net.WebUtility.HtmlEncode(settings.DisplayName);
            await http.Response.WriteAsync(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in · ImageHub</title></head><body>" +
                $"<h1>Password sign-in is turned off</h1><p>This ImageHub signs people in with {name} only.</p>" +
                $"<p><a href=\"/Account/Login\">Back to the log-in page</a> and use “Sign in with {name}”.</p></body></html>");
            return;
        }
        await next(http);
    });
}
