using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Where a generation is. Queued: stored, nothing sent. Submitting: the POST is (or was) in flight.
/// Running: the provider accepted it (its handle is stored). Downloading: images are being copied into the
/// store. NeedsReview: the provider may have accepted it but ImageHub cannot tell; it is never resent.
/// </summary>
public enum GenerationStatus
{
    Queued,
    Submitting,
    Running,
    Downloading,
    Succeeded,
    Failed,
    Canceled,
    NeedsReview,
}

public static class GenerationStatusExtensions
{
    /// <summary>True for the states a generation never leaves.</summary>
    public static bool IsFinal(this GenerationStatus status) =>
        status is GenerationStatus.Succeeded or GenerationStatus.Failed or GenerationStatus.Canceled or GenerationStatus.NeedsReview;
}

/// <summary>
/// One run of one prompt on one provider: the durable queue row the worker leases, and the record the
/// gallery, the composer and the REST API read. A compare submission makes one row per provider, sharing
/// <see cref="BatchId"/>.
/// </summary>
public sealed class Generation : IWorkspaceScoped
{
    public const int PromptMaxLength = 8000;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid? BatchId { get; init; }
    public Guid CreatedById { get; init; }
    public required string ProviderId { get; init; }
    public string? Model { get; set; }
    public required string Prompt { get; init; }
    public int NumImages { get; init; } = 1;
    /// <summary>The provider's own option fields as JSON (an object), exactly as validated.</summary>
    public string OptionsJson { get; init; } = "{}";

    public GenerationStatus Status { get; set; } = GenerationStatus.Queued;
    /// <summary>0–100 when the provider reports progress.</summary>
    public int? Progress { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    /// <summary>The provider's handle (<see cref="ImageHub.Providers.ProviderHandle.Serialize"/>), stored the moment it accepts.</summary>
    public string? HandleJson { get; set; }
    /// <summary>The vault key that pays; null for the built-in sandbox key.</summary>
    public Guid? KeyId { get; init; }
    public string? KeyLabel { get; init; }

    public decimal? EstimatedCredits { get; init; }
    public decimal? Credits { get; set; }
    public decimal? CostUsd { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    // The queue: a worker owns a row while LeaseUntil is in the future; NextAttemptAt delays a retry (Retry-After).
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    /// <summary>Someone asked to cancel while the provider was working; the worker finishes it.</summary>
    public bool CancelRequested { get; set; }
}

internal sealed class GenerationConfiguration : IEntityTypeConfiguration<Generation>
{
    public void Configure(EntityTypeBuilder<Generation> builder)
    {
        builder.Property(g => g.Id).ValueGeneratedNever();
        builder.Property(g => g.ProviderId).HasMaxLength(32);
        builder.Property(g => g.Model).HasMaxLength(200);
        builder.Property(g => g.Prompt).HasMaxLength(Generation.PromptMaxLength);
        builder.Property(g => g.OptionsJson).HasMaxLength(20_000);
        builder.Property(g => g.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(g => g.ErrorCode).HasMaxLength(64);
        builder.Property(g => g.ErrorMessage).HasMaxLength(2000);
        builder.Property(g => g.HandleJson).HasMaxLength(20_000);
        builder.Property(g => g.KeyLabel).HasMaxLength(120);
        builder.Property(g => g.LeaseOwner).HasMaxLength(64);
        builder.Property(g => g.EstimatedCredits).HasPrecision(18, 4);
        builder.Property(g => g.Credits).HasPrecision(18, 4);
        builder.Property(g => g.CostUsd).HasPrecision(18, 6);
        builder.HasIndex(g => new { g.WorkspaceId, g.CreatedAt });
        builder.HasIndex(g => new { g.Status, g.NextAttemptAt });
        builder.HasIndex(g => g.BatchId);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(g => g.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
