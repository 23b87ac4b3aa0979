using System.Security.Claims;

namespace ImageHub.Web.Features.Account;

public static class ClaimsPrincipalExtensions
{
    public const string InstanceAdminClaim = "imagehub:instance_admin";

    /// <summary>The signed-in user's id, or null when anonymous.</summary>
    public static Guid? GetUserId(this ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true
        && Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static bool IsInstanceAdmin(this ClaimsPrincipal principal) =>
        principal.HasClaim(InstanceAdminClaim, "true");
}
