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

    public bool IsSet => Id != Guid.Empty;
    public bool IsAdmin => Role is WorkspaceRole.Admin or WorkspaceRole.Owner;

    /// <summary>Makes <paramref name="workspaceId"/> current. The caller must have verified the membership.</summary>
    public void Set(Guid workspaceId, WorkspaceRole? role, string? name = null)
    {
        Id = workspaceId;
        Role = role;
        Name = name;
    }

    public void Clear() => Set(Guid.Empty, null);

    /// <summary>
    /// Works in another workspace for a moment (creating one, accepting an invite, bootstrap) and restores
    /// the previous one on dispose. Only for code that has already decided the user may do this.
    /// </summary>
    public IDisposable Use(Guid workspaceId, WorkspaceRole? role = null)
    {
        var previous = (Id, Role, Name);
        Set(workspaceId, role);
        return new Restore(() => Set(previous.Id, previous.Role, previous.Name));
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
