using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Admin;

/// <summary>The signed-in user administers the instance, as the database says now (not as their cookie said at sign-in).</summary>
public sealed record InstanceAdminRequirement : IAuthorizationRequirement;

/// <summary>
/// Reads <see cref="AppUser.IsInstanceAdmin"/> (and that the account is enabled) at each check: a demoted administrator's
/// open admin page is authorized again (<see cref="AccountSessions.RoleChangedAsync"/>) and gives way at once.
/// </summary>
internal sealed class InstanceAdminHandler(IDbContextFactory<AppDbContext> dbFactory) : AuthorizationHandler<InstanceAdminRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, InstanceAdminRequirement requirement)
    {
        if (context.User.GetUserId() is not { } userId) return;
        await using var db = await dbFactory.CreateDbContextAsync();
        if (await db.Users.AnyAsync(u => u.Id == userId && u.IsInstanceAdmin && u.DisabledAt == null))
        {
            context.Succeed(requirement);
        }
    }
}
