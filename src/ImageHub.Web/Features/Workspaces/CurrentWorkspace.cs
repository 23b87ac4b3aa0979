namespace ImageHub.Web.Features.Workspaces;

/// <summary>
/// The workspace the current request or circuit works in, and the current user's role there.
/// Empty (<see cref="Id"/> == Guid.Empty) when there is none: then no tenant row is visible.
/// Set by <see cref="WorkspaceMiddleware"/> for HTTP requests, by <see cref="WorkspaceCircuitHandler"/>
/// for Blazor circuits, and by whatever authenticates an API token bound to one workspace (call <see cref="Set"/>).
/// </summary>
public sealed class CurrentWorkspace
{
    public Guid Id { get; private set; }
    public WorkspaceRole? Role { get; private set; }
    public string? Name { get; private set; }
    /// <summary>Whose membership this is (null only for code that set a workspace on its own authority, such as tests and the worker).</summary>
    public Guid? UserId { get; private set; }
    /// <summary>The name of the workspace this user was removed from while working in it (an open page shows why it emptied).</summary>
    public string? LostMembershipOf { get; private set; }

    /// <summary>Raised when the role changes or the membership ends under an open circuit (<see cref="WorkspaceAccess"/>).</summary>
    public event Action? Changed;

    public bool IsSet => Id != Guid.Empty;
    public bool IsAdmin => Role is WorkspaceRole.Admin or WorkspaceRole.Owner;

    /// <summary>Makes <paramref name="workspaceId"/> current. The caller must have verified the membership.</summary>
    public void Set(Guid workspaceId, WorkspaceRole? role, string? name = null, Guid? userId = null)
    {
        Id = workspaceId;
        Role = role;
        Name = name;
        UserId = userId;
    }

    /// <summary>Takes the role the database holds now; null means the membership ended, and the workspace is left.</summary>
    internal void ApplyRole(WorkspaceRole? role)
    {
        if (role == Role) return;
        if (role is null)
        {
            LostMembershipOf = Name ?? "this workspace";
            Id = Guid.Empty;
        }
        Role = role;
        Changed?.Invoke();
    }

    public void Clear() => Set(Guid.Empty, null);

    /// <summary>
    /// Works in another workspace for a moment (creating one, accepting an invite, bootstrap) and restores
    /// the previous one on dispose. Only for code that has already decided the user may do this.
    /// </summary>
    public IDisposable Use(Guid workspaceId, WorkspaceRole? role = null)
    {
        var previous = (Id, Role, Name, UserId);
        Set(workspaceId, role, userId: UserId);
        return new Restore(() => Set(previous.Id, previous.Role, previous.Name, previous.UserId));
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        private Action? pending = restore;
        public void Dispose()
        {
            pending?.Invoke();
            pending = null;
        }
    }
}
