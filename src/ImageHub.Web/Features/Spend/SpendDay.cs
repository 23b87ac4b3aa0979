using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Spend;

/// <summary>
/// The daily rollup of the ledger's settlements: one row per UTC day, provider, member, key and model, with
/// exact integer sums (millionths of a credit and of a dollar). Written in the same transaction as each
/// settlement (<see cref="Ledger.SaveAsync"/>), so it always equals the ledger; the spend API, the page and the
/// budgets' history read it instead of summing a million ledger lines.
/// </summary>
public sealed class SpendDay : IWorkspaceScoped
{
    public Guid WorkspaceId { get; init; }
    /// <summary>Days since 0001-01-01 (<see cref="DateOnly.DayNumber"/>) of the UTC day.</summary>
    public int Day { get; init; }
    public required string ProviderId { get; init; }
    public Guid UserId { get; init; }
    /// <summary><see cref="Guid.Empty"/> for the built-in sandbox key.</summary>
    public Guid KeyId { get; init; }
    /// <summary>"" when the generation named no model.</summary>
    public required string Model { get; init; }
    public long CreditsMicro { get; set; }
    public long UsdMicro { get; set; }
    /// <summary>Settlements with a USD figure.</summary>
    public int UsdKnown { get; set; }
    /// <summary>Settlements with credits but no USD figure (no rate known).</summary>
    public int UsdUnknown { get; set; }
    public int Images { get; set; }
    public int Generations { get; set; }
}

internal sealed class SpendDayConfiguration : IEntityTypeConfiguration<SpendDay>
{
    public void Configure(EntityTypeBuilder<SpendDay> builder)
    {
        builder.ToTable("SpendDays");
        builder.HasKey(d => new { d.WorkspaceId, d.Day, d.ProviderId, d.UserId, d.KeyId, d.Model });
        builder.Property(d => d.ProviderId).HasMaxLength(32);
        builder.Property(d => d.Model).HasMaxLength(Jobs.Generation.ModelMaxLength);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(d => d.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Exact conversions between the ledger's decimals and the rollup's millionths.</summary>
public static class Micro
{
    public const decimal PerUnit = 1_000_000m;

    public static long From(decimal value) => (long)Math.Round(value * PerUnit, MidpointRounding.AwayFromZero);

    public static decimal To(long micro) => micro / PerUnit;
}
