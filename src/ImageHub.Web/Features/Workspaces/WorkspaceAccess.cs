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
        var role = await ReadRoleAsync(workspaceId, userId, cancellationToken);
        if (current.Id == workspaceId) current.ApplyRole(role);
        return role;
    }

    /// <summary>
    /// <paramref name="userId"/>'s role in the current workspace as the database holds it now; null when they are not a
    /// member or no workspace is current. For the current user this is <see cref="RefreshAsync"/> (an open page follows it).
    /// </summary>
    public async Task<WorkspaceRole?> RoleOfAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        if (current.UserId == userId) return await RefreshAsync(cancellationToken);
        return current.IsSet ? await ReadRoleAsync(current.Id, userId, cancellationToken) : null;
    }

    private async Task<WorkspaceRole?> ReadRoleAsync(Guid workspaceId, Guid userId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .Where(m => m.UserId == userId && m.WorkspaceId == workspaceId)
            .Select(m => (WorkspaceRole?)m.Role).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// <see cref="RefreshAsync"/> for an HTTP request's authorization (<see cref="WorkspaceRoleHandler"/>): the reading is
    /// also kept in the request's <see cref="HttpContext.Items"/>, so the request's own handler can act on it without a
    /// second read (<see cref="RoleForRequestAsync"/>). It ends with the request: a circuit never sees it, and the next
    /// request reads again.
    /// </summary>
    internal async Task<WorkspaceRole?> RefreshForRequestAsync(HttpContext http)
    {
        var (workspaceId, userId) = (current.Id, current.UserId);
        var role = await RefreshAsync(http.RequestAborted);
        if (userId is { } user && workspaceId != Guid.Empty) http.Items[RequestRoleKey] = new RequestRole(workspaceId, user, role);
        return role;
    }

    /// <summary>
    /// <paramref name="userId"/>'s role in the current workspace for this HTTP request: the reading its authorization made
    /// (<see cref="RefreshForRequestAsync"/>) when it was for this user and workspace, else read now (<see cref="RoleOfAsync"/>).
    /// </summary>
    public async Task<WorkspaceRole?> RoleForRequestAsync(HttpContext http, Guid userId, CancellationToken cancellationToken = default) =>
        http.Items.TryGetValue(RequestRoleKey, out var kept) && kept is RequestRole read && read.WorkspaceId == current.Id && read.UserId == userId
            ? read.Role
            : await RoleOfAsync(userId, cancellationToken);

    private const string RequestRoleKey = "imagehub:workspace-role";

    private sealed record RequestRole(Guid WorkspaceId, Guid UserId, WorkspaceRole? Role);

    /// <summary>Owner or Admin of the current workspace, now.</summary>
    public async Task<bool> IsAdminAsync(CancellationToken cancellationToken = default) =>
        await RefreshAsync(cancellationToken) is WorkspaceRole.Admin or WorkspaceRole.Owner;
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
