using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Account;

public sealed class AppUser : IdentityUser<Guid>
{
    public AppUser()
    {
        Id = Guid.CreateVersion7();
        SecurityStamp = Guid.NewGuid().ToString();
    }

    /// <summary>Administers the whole instance (registration mode, users). The first account gets it.</summary>
    public bool IsInstanceAdmin { get; set; }

    /// <summary>The user's light/dark choice (or the device's own), remembered across devices.</summary>
    public UiTheme Theme { get; set; } = UiTheme.System;

    /// <summary>The workspace the user last worked in; verified against membership on every request.</summary>
    public Guid? SelectedWorkspaceId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When an instance administrator disabled the account (it cannot sign in, its sessions and tokens ended); null while enabled.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>
    /// The RFC 6238 time step of the last authenticator code accepted for this account: a code of this step or an earlier
    /// one is refused, so each code works once (<see cref="SingleUseAuthenticatorTokenProvider"/>). Null until the first.
    /// </summary>
    public long? LastAuthenticatorTimeStep { get; set; }
}

/// <summary>Light, dark, or whatever the device's system setting says.</summary>
public enum UiTheme { Light, Dark, System }

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> builder)
    {
        builder.ToTable("Users");
        builder.Property(u => u.Theme).HasConversion<string>().HasMaxLength(8);
        // A deleted account leaves its workspaces (its generations stay, shown as "a former member").
        builder.HasMany<Workspaces.WorkspaceMember>().WithOne().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
