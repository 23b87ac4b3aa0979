using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Spend;

/// <summary>An Owner's or Admin's decision on a generation that needed review, kept for the record.</summary>
public sealed class SpendAuditEntry : AuditEntry, IWorkspaceScoped
{
    public const string Charged = "review.charged";
    public const string NotCharged = "review.not_charged";

    public SpendAuditEntry() { }
    public SpendAuditEntry(AuditActor actor, string actorEmail, DateTimeOffset at) : base(actor, actorEmail, at) { }

    public Guid WorkspaceId { get; init; }
    public required string Action { get; init; }
    public Guid GenerationId { get; init; }
    public required string ProviderId { get; init; }
    public decimal? Credits { get; init; }
    public string? Note { get; init; }
}

internal sealed class SpendAuditEntryConfiguration : IEntityTypeConfiguration<SpendAuditEntry>
{
    public void Configure(EntityTypeBuilder<SpendAuditEntry> builder)
    {
        builder.ToAuditTable("SpendAuditEntries");
        builder.Property(e => e.Action).HasMaxLength(32);
        builder.Property(e => e.ProviderId).HasMaxLength(32);
        builder.Property(e => e.Credits).HasPrecision(18, 4);
        builder.Property(e => e.Note).HasMaxLength(500);
        builder.HasIndex(e => new { e.WorkspaceId, e.At });
        builder.HasOne<Workspace>().WithMany().HasForeignKey(e => e.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Resolves a NeedsReview generation: charged (the credits the provider's dashboard shows are settled, the budgets
/// count them) or not charged (its reservation is released). Owners and Admins only; each decision is audited, and
/// a generation is resolved once (the ledger's unique index refuses a second settlement or release).
/// </summary>
public sealed class ReviewService(
    IDbContextFactory<AppDbContext> contexts,
    WorkspaceAccess access,
    PricingService pricing,
    LedgerCommitter ledger,
    TimeProvider time)
{
    public async Task<Outcome> ResolveAsync(AuditActor actor, Guid generationId, bool charged, decimal? credits, string? note, CancellationToken ct)
    {
        if (!await access.IsAdminAsync(ct)) return Failure.Forbidden("Only the workspace's Owners and Admins resolve reviews.");
        if (charged && credits is null) return Failure.Invalid("credits", "Enter the credits the provider charged (see its dashboard).");
        if (credits is < 0 or > 1_000_000_000) return Failure.Invalid("credits", "Credits must be between 0 and 1,000,000,000.");
        if (note?.Length > 500) return Failure.Invalid("note", "A note is at most 500 characters.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var generation = await db.Set<Generation>().FirstOrDefaultAsync(g => g.Id == generationId, ct);
        if (generation is null) return Failure.NotFound("There is no such generation in this workspace.");
        if (generation.Status != GenerationStatus.NeedsReview) return Failure.Conflict($"This generation is {generation.Status}, not waiting for review.");
        if (await db.Set<LedgerEntry>().AnyAsync(e => e.GenerationId == generationId && e.Kind != LedgerEntryKind.Reservation, ct))
            return Failure.Conflict("This review was already resolved.");

        var now = time.GetUtcNow();
        var email = await db.Users.Where(u => u.Id == actor.UserId).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? "";
        if (charged)
        {
            var usd = await pricing.ToUsdAsync(generation.ProviderId, credits, ct);
            Ledger.Settle(db, generation, credits!.Value, usd, 0, now);
        }
        else
        {
            Ledger.Release(db, generation, now);
        }
        db.Add(new SpendAuditEntry(actor, email, now)
        {
            Action = charged ? SpendAuditEntry.Charged : SpendAuditEntry.NotCharged,
            GenerationId = generationId, ProviderId = generation.ProviderId, Credits = charged ? credits : null, Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
        });
        try
        {
            await ledger.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            return Failure.Conflict("This review was already resolved.");
        }
        return Outcome.Ok(charged ? $"Settled at {credits:0.####} credits." : "Released: nothing was charged.");
    }

    /// <summary>The decisions taken, newest first.</summary>
    public async Task<IReadOnlyList<SpendAuditEntry>> AuditAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Set<SpendAuditEntry>().AsNoTracking().OrderByDescending(e => e.At).Take(200).ToListAsync(ct);
    }
}
