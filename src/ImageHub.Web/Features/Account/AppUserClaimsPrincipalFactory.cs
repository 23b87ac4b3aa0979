using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Account;

/// <summary>Adds the instance-administrator claim the "InstanceAdmin" policy reads.</summary>
internal sealed class AppUserClaimsPrincipalFactory(UserManager<AppUser> userManager, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser>(userManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.IsInstanceAdmin)
        {
            identity.AddClaim(new Claim(ClaimsPrincipalExtensions.InstanceAdminClaim, "true"));
        }
        return identity;
    }
}
