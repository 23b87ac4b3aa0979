using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Spend.Budgets;

public enum BudgetScope { Workspace, Provider, Member, Key }

public enum BudgetPeriod { Day, Week, Month, Total }

public enum BudgetUnit { Credits, Usd }

/// <summary>Hard: a submission that would pass the limit is refused before anything reaches the provider. Soft: alerts only.</summary>
public enum BudgetEnforcement { Hard, Soft }

/// <summary>
/// A cap on what a workspace, a provider, a member (optionally on one provider) or a provider key spends per
/// period, in one provider's credits or in USD. The row is also its own counter for the current period
/// (<see cref="PeriodStart"/>): <see cref="SpentMicro"/> settled and <see cref="ReservedMicro"/> reserved, in
/// millionths of the unit, so a hard budget's check and the reservation are one conditional UPDATE of this row
/// (<see cref="BudgetLedger"/>).
/// </summary>
public sealed class Budget : IWorkspaceScoped
{
    public const int NameMaxLength = 120;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string Name { get; init; }
    public BudgetScope Scope { get; init; }
    /// <summary>The provider it counts (required for a credits limit and for the provider scope); null: every provider.</summary>
    public string? ProviderId { get; init; }
    /// <summary>The member, for the member scope.</summary>
    public Guid? UserId { get; init; }
    /// <summary>The vault key, for the key scope.</summary>
    public Guid? KeyId { get; init; }
    public BudgetPeriod Period { get; init; }
    /// <summary>IANA time zone whose calendar the period follows.</summary>
    public required string TimeZone { get; init; }
    public BudgetUnit Unit { get; init; }
    public long LimitMicro { get; init; }
    public BudgetEnforcement Enforcement { get; init; }
    /// <summary>Percentages that alert once per period, ascending, comma-separated ("50,80,100").</summary>
    public string Thresholds { get; init; } = "50,80,100";

    // The counter of the current period (reset by a conditional UPDATE when a new period starts).
    public DateTimeOffset PeriodStart { get; set; }
    public long SpentMicro { get; set; }
    public long ReservedMicro { get; set; }
    /// <summary>The highest threshold already alerted in this period (0: none).</summary>
    public int AlertedPercent { get; set; }

    public Guid CreatedById { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyList<int> ThresholdList => Thresholds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

    /// <summary>True when a generation on <paramref name="providerId"/> by <paramref name="userId"/> paid with <paramref name="keyId"/> counts here.</summary>
    public bool Covers(string providerId, Guid userId, Guid? keyId) =>
        (ProviderId is null || ProviderId == providerId)
        && (Scope != BudgetScope.Member || UserId == userId)
        && (Scope != BudgetScope.Key || (keyId is not null && KeyId == keyId));
}

/// <summary>What one generation reserved against one budget (so settling or releasing it moves exactly that amount, in the period it was reserved in).</summary>
public sealed class BudgetCharge : IWorkspaceScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid BudgetId { get; init; }
    public Guid GenerationId { get; init; }
    public DateTimeOffset PeriodStart { get; init; }
    public long ReservedMicro { get; init; }
}

internal sealed class BudgetConfiguration : IEntityTypeConfiguration<Budget>
{
    public void Configure(EntityTypeBuilder<Budget> builder)
    {
        builder.ToTable("Budgets");
        builder.Property(b => b.Id).ValueGeneratedNever();
        builder.Property(b => b.Name).HasMaxLength(Budget.NameMaxLength);
        builder.Property(b => b.ProviderId).HasMaxLength(32);
        builder.Property(b => b.TimeZone).HasMaxLength(64);
        builder.Property(b => b.Thresholds).HasMaxLength(64);
        builder.Property(b => b.Scope).HasConversion<string>().HasMaxLength(16);
        builder.Property(b => b.Period).HasConversion<string>().HasMaxLength(16);
        builder.Property(b => b.Unit).HasConversion<string>().HasMaxLength(16);
        builder.Property(b => b.Enforcement).HasConversion<string>().HasMaxLength(16);
        builder.Ignore(b => b.ThresholdList);
        builder.HasIndex(b => b.WorkspaceId);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(b => b.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BudgetChargeConfiguration : IEntityTypeConfiguration<BudgetCharge>
{
    public void Configure(EntityTypeBuilder<BudgetCharge> builder)
    {
        builder.ToTable("BudgetCharges");
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.HasIndex(c => new { c.GenerationId, c.BudgetId }).IsUnique();
        builder.HasIndex(c => c.BudgetId);
        builder.HasOne<Budget>().WithMany().HasForeignKey(c => c.BudgetId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Jobs.Generation>().WithMany().HasForeignKey(c => c.GenerationId).OnDelete(DeleteBehavior.Cascade);
    }
}
