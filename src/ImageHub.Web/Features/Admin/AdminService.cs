using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Admin;

public sealed record UserView(Guid Id, string Email, bool IsInstanceAdmin, int Workspaces, DateTimeOffset? LockedOutUntil, DateTimeOffset CreatedAt);

/// <summary>Instance-wide views for the administrator (pages guard it with the InstanceAdmin policy).</summary>
public sealed class AdminService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider timeProvider)
{
    public async Task<IReadOnlyList<UserView>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var members = db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]);
        var rows = await db.Users.AsNoTracking()
            .Select(u => new { u.Id, u.Email, u.IsInstanceAdmin, Workspaces = members.Count(m => m.UserId == u.Id), u.LockoutEnd, u.CreatedAt })
            .ToListAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        return rows.OrderBy(r => r.CreatedAt)
            .Select(r => new UserView(r.Id, r.Email ?? "", r.IsInstanceAdmin, r.Workspaces, r.LockoutEnd > now ? r.LockoutEnd : null, r.CreatedAt))
            .ToList();
    }
}
