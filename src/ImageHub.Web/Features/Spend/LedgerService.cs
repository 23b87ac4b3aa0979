using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend;

/// <summary>Per provider, what the settled ledger says was spent in a period.</summary>
public sealed record ProviderSpend(string Provider, decimal Credits, decimal? CostUsd, int Images, int Generations);

/// <summary>
/// Writes the spend ledger. The entries are added to the caller's context, so they commit in the same
/// transaction as the generation's state change (a settlement never exists without its Succeeded row, and
/// the other way round). The unique (GenerationId, Kind) index refuses a second settlement.
/// </summary>
public static class Ledger
{
    public static LedgerEntry Reserve(AppDbContext db, Generation generation, DateTimeOffset now, decimal? usd) =>
        Add(db, generation, LedgerEntryKind.Reservation, generation.EstimatedCredits ?? 0, usd, 0, now);

    public static LedgerEntry Settle(AppDbContext db, Generation generation, decimal credits, decimal? usd, int images, DateTimeOffset now) =>
        Add(db, generation, LedgerEntryKind.Settlement, credits, usd, images, now);

    public static LedgerEntry Release(AppDbContext db, Generation generation, DateTimeOffset now) =>
        Add(db, generation, LedgerEntryKind.Release, generation.EstimatedCredits ?? 0, null, 0, now);

    private static LedgerEntry Add(AppDbContext db, Generation generation, LedgerEntryKind kind, decimal credits, decimal? usd, int images, DateTimeOffset now)
    {
        var entry = new LedgerEntry
        {
            WorkspaceId = generation.WorkspaceId,
            GenerationId = generation.Id,
            ProviderId = generation.ProviderId,
            UserId = generation.CreatedById,
            KeyId = generation.KeyId,
            Kind = kind,
            Credits = credits,
            CostUsd = usd,
            Images = images,
            CreatedAt = now,
        };
        db.Add(entry);
        return entry;
    }

    /// <summary>Settled spend per provider in [<paramref name="from"/>, <paramref name="to"/>) of the current workspace.</summary>
    public static async Task<IReadOnlyList<ProviderSpend>> SpendAsync(AppDbContext db, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var rows = await db.Set<LedgerEntry>().AsNoTracking()
            .Where(e => e.Kind == LedgerEntryKind.Settlement && e.CreatedAt >= from && e.CreatedAt < to)
            .Select(e => new { e.ProviderId, e.Credits, e.CostUsd, e.Images })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.ProviderId)
            .Select(g => new ProviderSpend(g.Key, g.Sum(r => r.Credits),
                g.Any(r => r.CostUsd is not null) ? g.Sum(r => r.CostUsd ?? 0) : null,
                g.Sum(r => r.Images), g.Count()))
            .OrderBy(s => s.Provider, StringComparer.Ordinal)
            .ToList();
    }
}
