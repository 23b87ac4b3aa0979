using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Workspaces;

/// <summary>A user's membership of a workspace, with their role there.</summary>
public sealed class WorkspaceMember : IWorkspaceScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid UserId { get; init; }
    public WorkspaceRole Role { get; set; }
    public DateTimeOffset JoinedAt { get; init; }
    /// <summary>Made by an identity provider's role mapping (<c>Oidc:WorkspaceMappings</c>): re-applied, and removed, at that account's OpenID Connect sign-ins.</summary>
    public bool FromIdentityProvider { get; set; }
}

internal sealed class WorkspaceMemberConfiguration : IEntityTypeConfiguration<WorkspaceMember>
{
    public void Configure(EntityTypeBuilder<WorkspaceMember> builder)
    {
        builder.ToTable("WorkspaceMembers");
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.HasIndex(m => new { m.WorkspaceId, m.UserId }).IsUnique();
        builder.HasIndex(m => m.UserId);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
