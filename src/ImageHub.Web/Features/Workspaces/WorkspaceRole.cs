namespace ImageHub.Web.Features.Workspaces;

/// <summary>A member's role in one workspace. Order matters: a higher value can do everything a lower one can.</summary>
public enum WorkspaceRole
{
    Member = 0,
    Admin = 1,
    Owner = 2,
}
