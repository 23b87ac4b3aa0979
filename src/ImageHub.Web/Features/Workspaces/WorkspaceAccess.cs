using ImageHub.Web.Data;
using ImageHub.Web.Infrastructure.Changes;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Workspaces;

/// <summary>
/// The role check every privileged action makes: it reads the membership from the database at that moment (a Blazor
/// circuit keeps its <see cref="CurrentWorkspace"/> for hours), and hands what it finds to <see cref="CurrentWorkspace"/>,
/// so a removed member or a demoted admin loses the page they have open too.
/// </summary>
public sealed class WorkspaceAccess(CurrentWorkspace current, IDbContextFactory<AppDbContext> dbFactory)
{
    /// <summary>The current user's role in the current workspace as the database holds it now; null when none.</summary>
    public async Task<WorkspaceRole?> RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (!current.IsSet) return null;
        if (current.UserId is not { } userId) return current.Role; // set on the caller's own authority (worker, tests)
        var workspaceId = current.Id;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var role = await db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .Where(m => m.UserId == userId && m.WorkspaceId == workspaceId)
            .Select(m => (WorkspaceRole?)m.Role).FirstOrDefaultAsync(cancellationToken);
        if (current.Id == workspaceId) current.ApplyRole(role);
        return role;
    }

    /// <summary>Owner or Admin of the current workspace, now.</summary>
    public async Task<bool> IsAdminAsync(CancellationToken cancellationToken = default) =>
        await RefreshAsync(cancellationToken) is WorkspaceRole.Admin or WorkspaceRole.Owner;

    /// <summary>At least <paramref name="minimum"/> in the current workspace, now.</summary>
    public async Task<bool> HasRoleAsync(WorkspaceRole minimum, CancellationToken cancellationToken = default) =>
        await RefreshAsync(cancellationToken) is { } role && role >= minimum;
}

/// <summary>A membership that changed: <see cref="UserId"/> was removed from <see cref="WorkspaceId"/>, or their role there changed.</summary>
public sealed record MembershipChange(Guid WorkspaceId, Guid UserId);

/// <summary>
/// Tells every open circuit of a user, on every instance, that their membership changed (<see cref="WorkspaceCircuitHandler"/>
/// subscribes); changes travel over the <see cref="ChangeBus"/> (PostgreSQL LISTEN/NOTIFY between instances). The role is
/// still re-read before every privileged action, so a change that never arrives (a dropped connection) cannot grant anything.
/// </summary>
public sealed class MembershipNotifier(ChangeBus bus, ILogger<MembershipNotifier> logger)
    : ChangeNotifier<Guid, MembershipChange>(bus, logger, c => c.UserId);
