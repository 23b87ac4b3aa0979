using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Spend;

/// <summary>
/// Reservation: the estimate, written when the generation is queued. Settlement: what the provider charged
/// (its own report, or the pricing table for Koala), written once at completion. Release: nothing was charged
/// (failed before acceptance, refunded, canceled while queued). A generation has at most one of each, and
/// never both a Settlement and a Release.
/// </summary>
public enum LedgerEntryKind
{
    Reservation,
    Settlement,
    Release,
}

/// <summary>An append-only line of the spend ledger, in the provider's own credits with USD beside them where the rate is known.</summary>
public sealed class LedgerEntry : IWorkspaceScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid GenerationId { get; init; }
    public required string ProviderId { get; init; }
    public Guid UserId { get; init; }
    public Guid? KeyId { get; init; }
    public LedgerEntryKind Kind { get; init; }
    public decimal Credits { get; init; }
    public decimal? CostUsd { get; init; }
    /// <summary>Images delivered (settlements only).</summary>
    public int Images { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntry>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> builder)
    {
        builder.ToTable("LedgerEntries");
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.ProviderId).HasMaxLength(32);
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Credits).HasPrecision(18, 4);
        builder.Property(e => e.CostUsd).HasPrecision(18, 6);
        // One of each kind per generation: a second settlement is refused by the database itself.
        builder.HasIndex(e => new { e.GenerationId, e.Kind }).IsUnique();
        builder.HasIndex(e => new { e.WorkspaceId, e.Kind, e.CreatedAt });
        builder.HasOne<Jobs.Generation>().WithMany().HasForeignKey(e => e.GenerationId).OnDelete(DeleteBehavior.Cascade);
    }
}
