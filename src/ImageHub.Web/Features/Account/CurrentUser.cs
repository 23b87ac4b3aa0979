using Microsoft.AspNetCore.Components.Authorization;

namespace ImageHub.Web.Features.Account;

/// <summary>Who is signed in where the code runs: an HTTP request (cookie or API token) or a Blazor circuit.</summary>
public interface ICurrentUser
{
    /// <summary>The signed-in user's id, or null when nobody is (a background job, an anonymous request).</summary>
    Task<Guid?> GetIdAsync();
}

/// <summary>
/// Reads the request's user, else the circuit's authentication state. Scoped: a circuit, a request or a job
/// scope each get their own, and a job scope (no request, no circuit) has nobody signed in.
/// </summary>
internal sealed class CurrentUser(IHttpContextAccessor http, AuthenticationStateProvider authentication) : ICurrentUser
{
    public async Task<Guid?> GetIdAsync()
    {
        if (http.HttpContext?.User.GetUserId() is { } fromRequest) return fromRequest;
        try
        {
            return (await authentication.GetAuthenticationStateAsync()).User.GetUserId();
        }
        catch (InvalidOperationException)
        {
            return null; // no circuit and no request: nobody is signed in here
        }
    }
}
