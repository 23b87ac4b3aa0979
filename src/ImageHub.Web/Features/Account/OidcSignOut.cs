using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ImageHub.Web.Features.Account;

/// <summary>
/// Log out of a session that signed in through the OpenID Connect provider ends the provider's session too (RP-initiated
/// logout): after the local sign-out the browser goes to the provider's <c>end_session_endpoint</c> with the session's ID
/// token as <c>id_token_hint</c> and the login page as <c>post_logout_redirect_uri</c>, so on a shared machine the next
/// "Sign in with …" asks for the provider's password again. Sessions signed in with a password, a provider without an
/// <c>end_session_endpoint</c>, or one that cannot be reached: the local sign-out alone, as before.
/// </summary>
public static class OidcSignOut
{
    /// <summary>The token name the session's cookie keeps the provider's ID token under.</summary>
    public const string IdToken = OpenIdConnectParameterNames.IdToken;

    /// <summary>Where the provider sends the browser back to (register it at the provider as a post-logout redirect URI).</summary>
    public const string ReturnPath = "/Account/Login";

    private const string IdTokenItem = "ImageHub.OidcSignOut.IdTokenHint";

    /// <summary>
    /// Call after the local sign-out, with the ended session's properties. True when the response now sends the browser on
    /// (to the provider, or to the login page when the provider has no end-session endpoint); false when the session did
    /// not come from the provider, or the provider could not be asked (then the caller redirects as for any session).
    /// </summary>
    public static async Task<bool> EndProviderSessionAsync(HttpContext http, AuthenticationProperties? session)
    {
        var idToken = session?.GetTokenValue(IdToken);
        if (string.IsNullOrEmpty(idToken) || !http.RequestServices.GetRequiredService<IOptions<OidcOptions>>().Value.Enabled) return false;
        http.Items[IdTokenItem] = idToken;
        try
        {
            // The handler reads the provider's discovery document (cached) and calls RedirectToEndSessionAsync.
            await http.SignOutAsync(OidcOptions.Scheme);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            http.RequestServices.GetRequiredService<ILogger<OidcSignIn>>()
                .LogWarning("Signed out here only: the OpenID Connect provider's discovery document could not be read ({Error}). Is Oidc:Authority reachable from this server?", e.Message);
            return false;
        }
    }

    /// <summary>The OpenID Connect handler's sign-out event: the end-session request, or the login page without one.</summary>
    public static Task RedirectToEndSessionAsync(RedirectContext context)
    {
        var request = context.Request;
        var message = context.ProtocolMessage;
        if (string.IsNullOrEmpty(message.IssuerAddress))
        {
            context.HttpContext.RequestServices.GetRequiredService<ILogger<OidcSignIn>>()
                .LogInformation("Signed out here only: the OpenID Connect provider has no end_session_endpoint.");
            context.Response.Redirect($"{request.PathBase}{ReturnPath}");
        }
        else
        {
            message.IdTokenHint = context.HttpContext.Items[IdTokenItem] as string;
            message.PostLogoutRedirectUri = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, ReturnPath);
            message.State = null; // nothing to carry: the way back is the plain login page
            context.Response.Redirect(message.CreateLogoutRequestUrl());
        }
        context.HandleResponse();
        return Task.CompletedTask;
    }
}
