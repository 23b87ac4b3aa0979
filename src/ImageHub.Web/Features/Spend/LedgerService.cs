using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend;

/// <summary>Per provider, what the settled ledger says was spent in a period.</summary>
public sealed record ProviderSpend(string Provider, decimal Credits, decimal? CostUsd, int Images, int Generations);

/// <summary>
/// Writes the spend ledger. The entries are added to the caller's context and saved with
/// <see cref="LedgerCommitter.SaveAsync"/>, so they commit in the same transaction as the generation's state change, the
/// budgets' counters and the daily rollup (a settlement never exists without its Succeeded row, and
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

    /// <summary>Settled spend per provider in [<paramref name="from"/>, <paramref name="to"/>) of the current workspace, summed in the database.</summary>
    public static async Task<IReadOnlyList<ProviderSpend>> SpendAsync(AppDbContext db, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var cells = await SpendCells.LoadAsync(db, from, to, ct);
        return cells.GroupBy(c => c.ProviderId)
            .Select(g => new ProviderSpend(g.Key, Micro.To(g.Sum(c => c.CreditsMicro)),
                g.Sum(c => c.UsdKnown) > 0 ? Micro.To(g.Sum(c => c.UsdMicro)) : null,
                g.Sum(c => c.Images), g.Sum(c => c.Generations)))
            .OrderBy(s => s.Provider, StringComparer.Ordinal)
            .ToList();
    }
}
