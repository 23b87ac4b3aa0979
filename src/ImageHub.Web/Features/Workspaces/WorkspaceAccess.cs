using ImageHub.Web.Data;
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
/// Tells every open circuit of a user, in this process, that their membership changed (<see cref="WorkspaceCircuitHandler"/>
/// subscribes). One instance only: delivery to circuits on other instances (PostgreSQL LISTEN/NOTIFY) is not built yet;
/// there the role is still re-read before every privileged action.
/// </summary>
public sealed class MembershipNotifier(ILogger<MembershipNotifier> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, List<Func<MembershipChange, Task>>> subscribers = [];

    public IDisposable Subscribe(Guid userId, Func<MembershipChange, Task> handler)
    {
        lock (gate)
        {
            if (!subscribers.TryGetValue(userId, out var list)) subscribers[userId] = list = [];
            list.Add(handler);
        }
        return new Subscription(() =>
        {
            lock (gate)
            {
                if (subscribers.TryGetValue(userId, out var list) && list.Remove(handler) && list.Count == 0) subscribers.Remove(userId);
            }
        });
    }

    /// <summary>Delivers <paramref name="change"/> to that user's circuits; returns when each has handled it.</summary>
    public async Task PublishAsync(MembershipChange change)
    {
        Func<MembershipChange, Task>[] handlers;
        lock (gate)
        {
            handlers = subscribers.TryGetValue(change.UserId, out var list) ? [.. list] : [];
        }
        foreach (var handler in handlers)
        {
            try
            {
                await handler(change);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "A circuit did not take a membership change for workspace {WorkspaceId}.", change.WorkspaceId);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? pending = dispose;
        public void Dispose() => Interlocked.Exchange(ref pending, null)?.Invoke();
    }
}
