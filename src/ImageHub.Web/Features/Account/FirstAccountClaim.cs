using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Account;

/// <summary>
/// Who became the first account (the instance administrator): one row with <see cref="SingletonId"/>. Its primary key
/// decides the race when several registrations, or several instances' bootstrap, reach a fresh instance at once: the
/// one whose insert succeeds is first; every other insert fails on the key, whichever process it runs in.
/// </summary>
public sealed class FirstAccountClaim
{
    public const int SingletonId = 1;

    public int Id { get; init; } = SingletonId;
    public Guid UserId { get; init; }
    public DateTimeOffset ClaimedAt { get; init; }
}

internal sealed class FirstAccountClaimConfiguration : IEntityTypeConfiguration<FirstAccountClaim>
{
    public void Configure(EntityTypeBuilder<FirstAccountClaim> builder)
    {
        builder.ToTable("FirstAccountClaims");
        builder.Property(c => c.Id).ValueGeneratedNever();
    }
}
