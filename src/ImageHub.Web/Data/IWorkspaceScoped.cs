namespace ImageHub.Web.Data;

/// <summary>
/// A tenant row: it belongs to exactly one workspace. <see cref="AppDbContext"/> filters every entity
/// implementing this to <see cref="Features.Workspaces.CurrentWorkspace"/> and stamps
/// <see cref="WorkspaceId"/> on added rows that leave it empty (a private setter is enough).
/// </summary>
public interface IWorkspaceScoped
{
    Guid WorkspaceId { get; }
}
