using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Workspaces;

/// <summary>
/// A single-use invitation link. Only the SHA-256 of the token is stored; the link itself is shown once,
/// to the admin who creates it.
/// </summary>
public sealed class WorkspaceInvite : IWorkspaceScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string TokenHash { get; init; }
    public WorkspaceRole Role { get; init; } = WorkspaceRole.Member;
    public Guid CreatedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public Guid? AcceptedByUserId { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public InviteState StateAt(DateTimeOffset now) =>
        RevokedAt is not null ? InviteState.Revoked
        : AcceptedAt is not null ? InviteState.Used
        : now >= ExpiresAt ? InviteState.Expired
        : InviteState.Open;
}

public enum InviteState { Open, Used, Expired, Revoked }

internal sealed class WorkspaceInviteConfiguration : IEntityTypeConfiguration<WorkspaceInvite>
{
    public void Configure(EntityTypeBuilder<WorkspaceInvite> builder)
    {
        builder.ToTable("WorkspaceInvites");
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.TokenHash).HasMaxLength(64);
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.Property(i => i.Role).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(i => i.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
