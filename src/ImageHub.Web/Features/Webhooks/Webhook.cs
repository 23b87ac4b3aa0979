using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Webhooks;

/// <summary>The events a webhook endpoint may subscribe to.</summary>
public static class WebhookEvents
{
    public const string BudgetThreshold = "budget.threshold";
    public const string GenerationSucceeded = "generation.succeeded";
    public const string GenerationFailed = "generation.failed";

    public static readonly IReadOnlyList<string> All = [BudgetThreshold, GenerationSucceeded, GenerationFailed];
}

/// <summary>
/// A URL the workspace's events are POSTed to, signed as the Standard Webhooks specification says with a key
/// the hub made (shown once as <c>whsec_…</c>, stored encrypted with Data Protection).
/// </summary>
public sealed class WebhookEndpoint : IWorkspaceScoped
{
    public const int UrlMaxLength = 2000;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string Url { get; init; }
    /// <summary>Subscribed events, comma-separated.</summary>
    public required string Events { get; init; }
    /// <summary>The signing key, protected with Data Protection (never shown again after creation).</summary>
    public required string ProtectedKey { get; init; }
    public Guid CreatedById { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyList<string> EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

public enum WebhookDeliveryStatus { Pending, Delivered, Failed }

/// <summary>
/// One event for one endpoint: an outbox row written in the same transaction as what it reports, sent by the
/// <see cref="WebhookDispatcher"/> and retried with backoff until a 2xx or the last attempt. Also the delivery log.
/// </summary>
public sealed class WebhookDelivery : IWorkspaceScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid EndpointId { get; init; }
    public required string EventType { get; init; }
    /// <summary>The exact body sent (and signed) every attempt.</summary>
    public required string Payload { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>The Standard Webhooks message id (the same on every retry).</summary>
    public string MessageId => "msg_" + Id.ToString("N");
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTable("WebhookEndpoints");
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Url).HasMaxLength(WebhookEndpoint.UrlMaxLength);
        builder.Property(e => e.Events).HasMaxLength(200);
        builder.Property(e => e.ProtectedKey).HasMaxLength(2000);
        builder.Ignore(e => e.EventList);
        builder.HasIndex(e => e.WorkspaceId);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(e => e.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("WebhookDeliveries");
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.EventType).HasMaxLength(64);
        builder.Property(d => d.Payload).HasMaxLength(20_000);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(500);
        builder.Ignore(d => d.MessageId);
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
        builder.HasIndex(d => new { d.EndpointId, d.CreatedAt });
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }
}
