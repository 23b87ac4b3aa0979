using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Gallery;

/// <summary>A member's star on an image (stars are personal: "starred" means starred by me).</summary>
public sealed class ImageStar : IWorkspaceScoped
{
    public Guid WorkspaceId { get; init; }
    public Guid ImageId { get; init; }
    public Guid UserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A named collection of images that any member of the workspace can fill.</summary>
public sealed class Board : IWorkspaceScoped
{
    public const int NameMaxLength = 80;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string Name { get; set; }
    public Guid CreatedById { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>An image on a board.</summary>
public sealed class BoardImage : IWorkspaceScoped
{
    public Guid WorkspaceId { get; init; }
    public Guid BoardId { get; init; }
    public Guid ImageId { get; init; }
    public Guid AddedById { get; init; }
    public DateTimeOffset AddedAt { get; init; }
}

internal sealed class ImageStarConfiguration : IEntityTypeConfiguration<ImageStar>
{
    public void Configure(EntityTypeBuilder<ImageStar> builder)
    {
        builder.ToTable("ImageStars");
        builder.HasKey(s => new { s.ImageId, s.UserId });
        builder.HasIndex(s => new { s.WorkspaceId, s.UserId });
        builder.HasOne<GeneratedImage>().WithMany().HasForeignKey(s => s.ImageId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BoardConfiguration : IEntityTypeConfiguration<Board>
{
    public void Configure(EntityTypeBuilder<Board> builder)
    {
        builder.ToTable("Boards");
        builder.Property(b => b.Id).ValueGeneratedNever();
        builder.Property(b => b.Name).HasMaxLength(Board.NameMaxLength);
        builder.HasIndex(b => new { b.WorkspaceId, b.Name });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(b => b.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BoardImageConfiguration : IEntityTypeConfiguration<BoardImage>
{
    public void Configure(EntityTypeBuilder<BoardImage> builder)
    {
        builder.ToTable("BoardImages");
        builder.HasKey(b => new { b.BoardId, b.ImageId });
        builder.HasIndex(b => b.ImageId);
        builder.HasOne<Board>().WithMany().HasForeignKey(b => b.BoardId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<GeneratedImage>().WithMany().HasForeignKey(b => b.ImageId).OnDelete(DeleteBehavior.Cascade);
    }
}
