using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Workspaces;

public sealed record MembershipInfo(Guid WorkspaceId, string WorkspaceName, WorkspaceRole Role);

/// <summary>
/// The only place that reads memberships across workspaces (to list a user's workspaces and to verify
/// that a user belongs to the one they ask for). Every query here is bound to one user id.
/// </summary>
public sealed class WorkspaceDirectory(IDbContextFactory<AppDbContext> dbFactory)
{
    public async Task<IReadOnlyList<MembershipInfo>> ListForUserAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await (
            from m in db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
            join w in db.Workspaces.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]) on m.WorkspaceId equals w.Id
            where m.UserId == userId
            select new { m.WorkspaceId, w.Name, m.Role, m.JoinedAt })
            .ToListAsync(cancellationToken);
        return rows.OrderBy(r => r.JoinedAt).Select(r => new MembershipInfo(r.WorkspaceId, r.Name, r.Role)).ToList();
    }

    /// <summary>
    /// The workspace the user should work in: <paramref name="requested"/> when given (null if not a member),
    /// else the user's selected workspace if still a member, else their oldest membership, else null.
    /// </summary>
    public async Task<MembershipInfo?> ResolveAsync(Guid userId, Guid? requested, CancellationToken cancellationToken = default)
    {
        var memberships = await ListForUserAsync(userId, cancellationToken);
        if (requested is { } id)
        {
            return memberships.FirstOrDefault(m => m.WorkspaceId == id);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var selected = await db.Users.Where(u => u.Id == userId).Select(u => u.SelectedWorkspaceId).FirstOrDefaultAsync(cancellationToken);
        return memberships.FirstOrDefault(m => m.WorkspaceId == selected) ?? memberships.FirstOrDefault();
    }

    /// <summary>Remembers the user's choice; returns false (and changes nothing) when they are not a member.</summary>
    public async Task<bool> SelectAsync(Guid userId, Guid workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var isMember = await db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
            .AnyAsync(m => m.UserId == userId && m.WorkspaceId == workspaceId, cancellationToken);
        if (!isMember)
        {
            return false;
        }

        await db.Users.Where(u => u.Id == userId && u.SelectedWorkspaceId != workspaceId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.SelectedWorkspaceId, workspaceId), cancellationToken);
        return true;
    }
}
