using ImageHub.Web.Data;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Sharing;

/// <summary>
/// A public link to some images or a board. The token itself is never stored in the clear: <see cref="TokenHash"/>
/// (SHA-256) finds the link, and <see cref="ProtectedToken"/> (Data Protection, whose key ring is encrypted with a
/// certificate) lets members copy it again from the links page. A copy of the database opens neither.
/// </summary>
public sealed class ShareLink : IWorkspaceScoped
{
    public const int PasswordMinLength = 8;
    public const int PasswordMaxLength = 200;
    public const int MaxImages = 200;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required byte[] TokenHash { get; init; }
    public required string ProtectedToken { get; init; }
    public Guid CreatedById { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>ASP.NET Core Identity's password hash (PBKDF2); null when the link has no password.</summary>
    public string? PasswordHash { get; init; }
    public bool AllowDownload { get; init; }
    public bool ShowPrompt { get; init; }
    /// <summary>A board's link shows what the board holds when it is opened; otherwise <see cref="ShareLinkImage"/> rows.</summary>
    public Guid? BoardId { get; init; }
    public int Views { get; set; }
    public DateTimeOffset? LastViewedAt { get; set; }

    public bool IsLive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } e || e > now);
}

/// <summary>One image of a link that names its images.</summary>
public sealed class ShareLinkImage : IWorkspaceScoped
{
    public Guid WorkspaceId { get; init; }
    public Guid ShareLinkId { get; init; }
    public Guid ImageId { get; init; }
    public int Position { get; init; }
}

public enum ShareAuditAction
{
    Created = 0,
    Revoked = 1,
}

/// <summary>Who created or revoked which link, when, from where. Only ever added.</summary>
public sealed class ShareAuditEntry : AuditEntry, IWorkspaceScoped
{
    public ShareAuditEntry() { }
    public ShareAuditEntry(AuditActor actor, string actorEmail, DateTimeOffset at) : base(actor, actorEmail, at) { }

    public Guid WorkspaceId { get; init; }
    public ShareAuditAction Action { get; init; }
    public Guid ShareLinkId { get; init; }
    public string? Detail { get; init; }
}

internal sealed class ShareLinkConfiguration : IEntityTypeConfiguration<ShareLink>
{
    public void Configure(EntityTypeBuilder<ShareLink> builder)
    {
        builder.ToTable("ShareLinks");
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.TokenHash).HasMaxLength(32);
        builder.Property(s => s.ProtectedToken).HasMaxLength(1000);
        builder.Property(s => s.PasswordHash).HasMaxLength(200);
        builder.HasIndex(s => s.TokenHash).IsUnique();
        builder.HasIndex(s => new { s.WorkspaceId, s.CreatedAt });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Board>().WithMany().HasForeignKey(s => s.BoardId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ShareLinkImageConfiguration : IEntityTypeConfiguration<ShareLinkImage>
{
    public void Configure(EntityTypeBuilder<ShareLinkImage> builder)
    {
        builder.ToTable("ShareLinkImages");
        builder.HasKey(s => new { s.ShareLinkId, s.ImageId });
        builder.HasIndex(s => s.ImageId);
        builder.HasOne<ShareLink>().WithMany().HasForeignKey(s => s.ShareLinkId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<GeneratedImage>().WithMany().HasForeignKey(s => s.ImageId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ShareAuditEntryConfiguration : IEntityTypeConfiguration<ShareAuditEntry>
{
    public void Configure(EntityTypeBuilder<ShareAuditEntry> builder)
    {
        builder.ToAuditTable("ShareAuditEntries");
        builder.Property(a => a.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Detail).HasMaxLength(1000);
        builder.HasIndex(a => new { a.WorkspaceId, a.At });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
