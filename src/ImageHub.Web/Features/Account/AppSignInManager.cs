using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Account;

/// <summary>Identity's sign-in manager, refusing disabled accounts (<see cref="AppUser.DisabledAt"/>) every way in.</summary>
public sealed class AppSignInManager(
    UserManager<AppUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<AppUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<AppUser> confirmation)
    : SignInManager<AppUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private string? sessionIdToken;

    /// <summary>
    /// Signs in the account linked to the provider's <paramref name="issuer"/> and <paramref name="subject"/>, without
    /// ImageHub's own second factor (the provider owns it), keeping the provider's <paramref name="idToken"/> in the session's
    /// (encrypted) cookie: signing out then ends the provider's session too (<see cref="OidcSignOut"/>).
    /// </summary>
    public async Task<SignInResult> ProviderSignInAsync(string issuer, string subject, string? idToken)
    {
        sessionIdToken = idToken;
        try
        {
            return await ExternalLoginSignInAsync(issuer, subject, isPersistent: false, bypassTwoFactor: true);
        }
        finally
        {
            sessionIdToken = null;
        }
    }

    public override Task SignInWithClaimsAsync(AppUser user, AuthenticationProperties? authenticationProperties, IEnumerable<System.Security.Claims.Claim> additionalClaims)
    {
        if (sessionIdToken is not null)
        {
            authenticationProperties ??= new AuthenticationProperties();
            authenticationProperties.StoreTokens([new AuthenticationToken { Name = OidcSignOut.IdToken, Value = sessionIdToken }]);
        }
        return base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
    }

    public override async Task<bool> CanSignInAsync(AppUser user) =>
        user.DisabledAt is null && await base.CanSignInAsync(user);

    public override async Task<AppUser?> ValidateSecurityStampAsync(System.Security.Claims.ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user?.DisabledAt is null ? user : null;
    }
}
