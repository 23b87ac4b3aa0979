using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Infrastructure.Audit;

/// <summary>The member acting and the address their request came from (the circuit's client or the HTTP request's).</summary>
public sealed record AuditActor(Guid UserId, string? RemoteAddress = null)
{
    /// <summary><paramref name="userId"/> acting through <paramref name="http"/>'s request.</summary>
    public static AuditActor From(HttpContext http, Guid userId) => new(userId, http.Connection.RemoteIpAddress?.ToString());
}

/// <summary>
/// What every audit trail records about who did something, when and from where: the key vault's, the share links', the
/// spend reviews' and the admin console's. Each trail is its own table (only ever added to) with its own details on top.
/// </summary>
public abstract class AuditEntry
{
    public const int EmailMaxLength = 256;
    public const int AddressMaxLength = 64;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public DateTimeOffset At { get; init; }
    public Guid ActorUserId { get; init; }
    public string ActorEmail { get; init; } = "";
    public string? RemoteAddress { get; init; }

    /// <summary>Fills the "who, when, from where" part for <paramref name="actor"/> (an address too long to be one is cut).</summary>
    protected AuditEntry(AuditActor actor, string actorEmail, DateTimeOffset at)
    {
        At = at;
        ActorUserId = actor.UserId;
        ActorEmail = actorEmail;
        RemoteAddress = actor.RemoteAddress is { Length: > AddressMaxLength } address ? address[..AddressMaxLength] : actor.RemoteAddress;
    }

    /// <summary>For EF Core, which sets the properties itself.</summary>
    protected AuditEntry() { }
}

public static class AuditEntryConfiguration
{
    /// <summary>Maps an audit trail to <paramref name="table"/>: the common columns, and an index to read it newest first.</summary>
    public static EntityTypeBuilder<T> ToAuditTable<T>(this EntityTypeBuilder<T> builder, string table) where T : AuditEntry
    {
        builder.ToTable(table);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.ActorEmail).HasMaxLength(AuditEntry.EmailMaxLength);
        builder.Property(a => a.RemoteAddress).HasMaxLength(AuditEntry.AddressMaxLength);
        return builder;
    }
}
