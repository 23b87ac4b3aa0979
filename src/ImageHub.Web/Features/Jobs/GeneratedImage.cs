using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Jobs;

/// <summary>An image a generation produced, copied into the app's own store (content-addressed by <see cref="Sha256"/>).</summary>
public sealed class GeneratedImage : IWorkspaceScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid GenerationId { get; init; }
    /// <summary>The image's place in its generation (0-based), as the provider listed it.</summary>
    public int Index { get; init; }
    public required string Sha256 { get; init; }
    public required string ContentType { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public long Length { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When a member moved it to the gallery's trash (null: not in the trash). Purged after Gallery:TrashRetention.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Where the app serves it (members of the workspace only).</summary>
    public string Url => $"/images/{Id}";
    public string ThumbnailUrl => $"/images/{Id}/thumb";
}

internal sealed class GeneratedImageConfiguration : IEntityTypeConfiguration<GeneratedImage>
{
    public void Configure(EntityTypeBuilder<GeneratedImage> builder)
    {
        builder.ToTable("GeneratedImages");
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Sha256).HasMaxLength(64);
        builder.Property(i => i.ContentType).HasMaxLength(32);
        builder.Ignore(i => i.Url);
        builder.Ignore(i => i.ThumbnailUrl);
        builder.HasIndex(i => new { i.GenerationId, i.Index }).IsUnique();
        builder.HasIndex(i => new { i.WorkspaceId, i.CreatedAt, i.Id }); // the gallery's keyset order
        builder.HasIndex(i => i.Sha256); // a purge asks whether anything still references a file
        builder.HasOne<Generation>().WithMany().HasForeignKey(i => i.GenerationId).OnDelete(DeleteBehavior.Cascade);
    }
}
