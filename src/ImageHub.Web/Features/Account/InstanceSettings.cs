using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Account;

/// <summary>Settings of the whole instance: a single row with <see cref="SingletonId"/>.</summary>
public sealed class InstanceSettings
{
    public const int SingletonId = 1;

    public int Id { get; init; } = SingletonId;
    public RegistrationMode RegistrationMode { get; set; } = RegistrationMode.InviteOnly;
}

public enum RegistrationMode
{
    /// <summary>Only people holding a valid invite link can create an account.</summary>
    InviteOnly,
    /// <summary>Anyone who reaches the instance can create an account.</summary>
    Open,
    /// <summary>No new accounts at all, not even with an invite link (invites still add existing accounts to workspaces).</summary>
    Closed,
}

internal sealed class InstanceSettingsConfiguration : IEntityTypeConfiguration<InstanceSettings>
{
    public void Configure(EntityTypeBuilder<InstanceSettings> builder)
    {
        builder.ToTable("InstanceSettings");
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.RegistrationMode).HasConversion<string>().HasMaxLength(16);
    }
}
