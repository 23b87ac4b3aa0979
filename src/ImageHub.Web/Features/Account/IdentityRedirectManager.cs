using Microsoft.AspNetCore.Components;

namespace ImageHub.Web.Features.Account;

/// <summary>Redirects from the static account pages, refusing open redirects.</summary>
internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    /// <summary>Redirects to <paramref name="uri"/> when it is a path on this site, else to "/" (never another site, never a 500).</summary>
    public void RedirectTo(string? uri) => navigationManager.NavigateTo(LocalUrl.OrRoot(uri));

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context) =>
        RedirectToWithStatus(navigationManager.ToAbsoluteUri(navigationManager.Uri).AbsolutePath, message, context);
}
