using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace ImageHub.Web.Features.Account;

internal static class AccountEndpoints
{
    /// <summary>
    /// POST /Account/Logout: a form post from the account menu. Its antiforgery token is checked here, so a post
    /// without a valid one (a stale page, another site) is a 400 page saying what to do, never a 500. A session that signed
    /// in through the OpenID Connect provider is also ended there (<see cref="OidcSignOut"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/Account/Logout", async (HttpContext http, IAntiforgery antiforgery, SignInManager<AppUser> signInManager) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Content(
                    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log out · ImageHub</title></head><body>" +
                    "<h1>That log-out form has expired</h1><p>You are still logged in. Go back, reload the page and log out again.</p>" +
                    "<p><a href=\"/\">Back to ImageHub</a></p></body></html>",
                    "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
            }
            var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
            await signInManager.SignOutAsync();
            // Signed in through the OpenID Connect provider: end its session too (the browser goes there, then back to the login page).
            if (await OidcSignOut.EndProviderSessionAsync(http, session.Properties)) return Results.Empty;
            return Results.LocalRedirect("~" + OidcSignOut.ReturnPath);
        }).DisableAntiforgery();
        return endpoints;
    }
}
