using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// One line of the event log behind <c>GET /api/v1/events</c>: a generation's status (or progress) change, written in the
/// same transaction as the change itself (<see cref="GenerationChangePublisher"/>), so a client resuming with
/// <c>Last-Event-ID</c> misses nothing, whichever instance made the change. <see cref="Id"/> grows with every row of the
/// database; rows older than <c>Events:Retention</c> are pruned (Features/Events/EventLogPruner.cs).
/// </summary>
/// <remarks>Not <see cref="Data.IWorkspaceScoped"/>: the worker writes it for any workspace; readers filter by <see cref="WorkspaceId"/> themselves.</remarks>
public sealed class GenerationEvent
{
    public long Id { get; init; }
    public Guid WorkspaceId { get; init; }
    public Guid GenerationId { get; init; }
    public required string ProviderId { get; init; }
    public GenerationStatus Status { get; init; }
    public int? Progress { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class GenerationEventConfiguration : IEntityTypeConfiguration<GenerationEvent>
{
    public void Configure(EntityTypeBuilder<GenerationEvent> builder)
    {
        builder.ToTable("GenerationEvents");
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.ProviderId).HasMaxLength(32);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(e => e.CreatedAt);
    }
}
