using ImageHub.Web.Infrastructure.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Admin;

public enum AdminAuditAction
{
    AccountDisabled,
    AccountEnabled,
    AccountUnlocked,
    AdminPromoted,
    AdminDemoted,
    AccountDeleted,
    RegistrationModeChanged,
    TwoFactorReset,
}

/// <summary>
/// One line of the instance administrators' append-only audit log: who did what to which account (or to the
/// instance's settings), when, from which address, with the old and the new value. Rows are only ever added; they
/// outlive the accounts they name (emails are copied, not joined).
/// </summary>
public sealed class AdminAuditEntry : AuditEntry
{
    public AdminAuditEntry() { }
    public AdminAuditEntry(AuditActor actor, string actorEmail, DateTimeOffset at) : base(actor, actorEmail, at) { }

    public AdminAuditAction Action { get; init; }
    /// <summary>The account concerned; null for instance settings.</summary>
    public Guid? TargetUserId { get; init; }
    public string? TargetEmail { get; init; }
    public string? OldValue { get; init; }
    public string? NewValue { get; init; }
}

internal sealed class AdminAuditEntryConfiguration : IEntityTypeConfiguration<AdminAuditEntry>
{
    public void Configure(EntityTypeBuilder<AdminAuditEntry> builder)
    {
        builder.ToAuditTable("AdminAuditEntries");
        builder.Property(a => a.Action).HasConversion<string>().HasMaxLength(32);
        builder.Property(a => a.TargetEmail).HasMaxLength(256);
        builder.Property(a => a.OldValue).HasMaxLength(200);
        builder.Property(a => a.NewValue).HasMaxLength(200);
        builder.HasIndex(a => a.At);
    }
}
