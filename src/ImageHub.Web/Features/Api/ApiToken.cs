using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Api;

/// <summary>
/// A personal access token: bound to one user and one workspace, stored as the SHA-256 of the token (the token
/// itself is shown once, when made), with its scopes and expiry. Revoked and expired tokens stay listed, marked so.
/// </summary>
public sealed class ApiToken : IWorkspaceScoped
{
    public const int NameMaxLength = 80;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid UserId { get; init; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the whole token, lowercase hex.</summary>
    public required string Hash { get; init; }
    /// <summary>The first characters of the token, so a person can tell their tokens apart ("ihp_Ab3d…").</summary>
    public required string Prefix { get; init; }
    /// <summary>What the token may do: <see cref="ApiScopeNames.Format"/> of its <see cref="ApiScopes"/> ("generate read").</summary>
    public required string Scopes { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the token stops working; null: never (the page warns when one is made).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Why a token revoked at <paramref name="revokedAt"/> and expiring at <paramref name="expiresAt"/> no longer works at <paramref name="now"/>, or null while it does.</summary>
    public static string? Unusable(DateTimeOffset? revokedAt, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        revokedAt is not null ? "The API token was revoked."
        : expiresAt is { } expired && expired <= now ? $"The API token expired on {expired.UtcDateTime:yyyy-MM-dd HH:mm} UTC."
        : null;
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("ApiTokens");
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.Name).HasMaxLength(ApiToken.NameMaxLength);
        builder.Property(t => t.Hash).HasMaxLength(64);
        builder.Property(t => t.Prefix).HasMaxLength(16);
        builder.Property(t => t.Scopes).HasMaxLength(64);
        builder.HasIndex(t => t.Hash).IsUnique();
        builder.HasIndex(t => new { t.WorkspaceId, t.UserId });
        builder.HasOne<Workspace>().WithMany().HasForeignKey(t => t.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
