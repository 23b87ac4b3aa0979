using ImageHub.Web.Data;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Keys;

public enum KeyAuditAction
{
    Added = 0,
    Rotated = 1,
    Disabled = 2,
    Enabled = 3,
    Deleted = 4,
    Checked = 5,
    MemberAccessChanged = 6,
}

/// <summary>
/// One line of the key vault's append-only audit log: who did what to which key (label and id, never the
/// secret), when, from which address. Rows are only ever added (<see cref="KeyVault"/> has no update or
/// delete for them); they outlive the key they name.
/// </summary>
public sealed class KeyAuditEntry : AuditEntry, IWorkspaceScoped
{
    public KeyAuditEntry() { }
    public KeyAuditEntry(AuditActor actor, string actorEmail, DateTimeOffset at) : base(actor, actorEmail, at) { }

    public Guid WorkspaceId { get; init; }
    public KeyAuditAction Action { get; init; }
    public required string ProviderId { get; init; }
    /// <summary>The key concerned; null for provider-wide changes (member access).</summary>
    public Guid? KeyId { get; init; }
    public string KeyLabel { get; init; } = "";
    public KeyScope? Scope { get; init; }
    /// <summary>What came of it ("Valid: Kolbo accepted the key", "members may use: yes"). Never the secret.</summary>
    public string? Detail { get; init; }
}

internal sealed class KeyAuditEntryConfiguration : IEntityTypeConfiguration<KeyAuditEntry>
{
    public void Configure(EntityTypeBuilder<KeyAuditEntry> builder)
    {
        builder.ToAuditTable("KeyAuditEntries");
        builder.Property(a => a.Action).HasConversion<string>().HasMaxLength(32);
        builder.Property(a => a.ProviderId).HasMaxLength(16);
        builder.Property(a => a.KeyLabel).HasMaxLength(ProviderKey.LabelMaxLength);
        builder.Property(a => a.Scope).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Detail).HasMaxLength(1000);
        builder.HasIndex(a => new { a.WorkspaceId, a.At });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
