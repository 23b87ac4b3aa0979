using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Keys;

/// <summary>Whose key it is: one member's own, or the workspace's (managed by Owners and Admins).</summary>
public enum KeyScope
{
    Personal = 0,
    Workspace = 1,
}

/// <summary>What people see of a key. <see cref="ProviderKey.Status"/> stores the last check's outcome
/// (Unchecked, Valid, Invalid); Disabled and Expired come from <see cref="ProviderKey.StatusAt"/>.</summary>
public enum KeyStatus
{
    Unchecked = 0,
    Valid = 1,
    Invalid = 2,
    Expired = 3,
    Disabled = 4,
}

/// <summary>
/// A provider API key kept in the vault. <see cref="Secret"/> holds the Data Protection ciphertext
/// (purpose <see cref="ProviderKeyProtector.Purpose"/>), never the plaintext: only
/// <see cref="KeyResolver.GetCredentialAsync"/> turns it back into a credential, on its way to the wire.
/// </summary>
public sealed class ProviderKey : IWorkspaceScoped
{
    public const int LabelMaxLength = 100;
    public const int SecretMaxLength = 500;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    /// <summary>A registered provider id (ImageHub.Providers.ProviderIds, e.g. kolbo).</summary>
    public required string ProviderId { get; init; }
    public KeyScope Scope { get; init; }
    /// <summary>The member a personal key belongs to; null for workspace keys.</summary>
    public Guid? OwnerUserId { get; init; }
    public required string Label { get; set; }
    /// <summary>The protected (encrypted) secret. Never shown, never logged, never sent to a browser.</summary>
    public required string Secret { get; set; }
    /// <summary>The last four characters of the secret (empty for secrets of 8 characters or fewer).</summary>
    public string Last4 { get; set; } = "";
    public DateTimeOffset? ExpiresAt { get; set; }
    public bool Disabled { get; set; }
    /// <summary>The last check's outcome: Unchecked, Valid or Invalid.</summary>
    public KeyStatus Status { get; set; } = KeyStatus.Unchecked;
    public string? StatusMessage { get; set; }
    /// <summary>The provider's balance in its own credits, where its check reports one.</summary>
    public decimal? Balance { get; set; }
    public DateTimeOffset? CheckedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public Guid CreatedById { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The mask people see: "••••abcd" (or "••••" for short secrets).</summary>
    public string Mask => "••••" + Last4;

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    /// <summary>The status a person sees at <paramref name="now"/>: Disabled, else Expired, else the last check's outcome.</summary>
    public KeyStatus StatusAt(DateTimeOffset now) =>
        Disabled ? KeyStatus.Disabled
        : IsExpiredAt(now) ? KeyStatus.Expired
        : Status;

    /// <summary>Enabled, unexpired, and not refused by the provider at its last check.</summary>
    public bool IsUsableAt(DateTimeOffset now) => StatusAt(now) is KeyStatus.Valid or KeyStatus.Unchecked;

    public static string Last4Of(string secret) => secret.Length > 8 ? secret[^4..] : "";
}

/// <summary>Per workspace and provider: may Members (not only Owners and Admins) spend through the workspace's keys?</summary>
public sealed class WorkspaceKeyAccess : IWorkspaceScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string ProviderId { get; init; }
    public bool MembersMayUse { get; set; }
}

internal sealed class ProviderKeyConfiguration : IEntityTypeConfiguration<ProviderKey>
{
    public void Configure(EntityTypeBuilder<ProviderKey> builder)
    {
        builder.ToTable("ProviderKeys");
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.ProviderId).HasMaxLength(16);
        builder.Property(k => k.Scope).HasConversion<string>().HasMaxLength(16);
        builder.Property(k => k.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(k => k.Label).HasMaxLength(ProviderKey.LabelMaxLength);
        builder.Property(k => k.Secret).HasMaxLength(4000);
        builder.Property(k => k.Last4).HasMaxLength(4);
        builder.Property(k => k.StatusMessage).HasMaxLength(1000);
        builder.Property(k => k.Balance).HasPrecision(18, 4);
        builder.Ignore(k => k.Mask);
        builder.HasIndex(k => new { k.WorkspaceId, k.ProviderId, k.Scope });
        builder.HasIndex(k => k.OwnerUserId);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(k => k.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkspaceKeyAccessConfiguration : IEntityTypeConfiguration<WorkspaceKeyAccess>
{
    public void Configure(EntityTypeBuilder<WorkspaceKeyAccess> builder)
    {
        builder.ToTable("WorkspaceKeyAccesses");
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.ProviderId).HasMaxLength(16);
        builder.HasIndex(a => new { a.WorkspaceId, a.ProviderId }).IsUnique();
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
