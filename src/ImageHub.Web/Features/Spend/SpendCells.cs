using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend;

/// <summary>Settled spend of one UTC day, provider, member, key and model (a <see cref="SpendDay"/>, or the same summed from the ledger for part of a day).</summary>
public sealed record SpendCell(int Day, string ProviderId, Guid UserId, Guid KeyId, string Model,
    long CreditsMicro, long UsdMicro, int UsdKnown, int UsdUnknown, int Images, int Generations);

/// <summary>
/// Reads settled spend over [from, to) of the current workspace: whole UTC days from the daily rollup (grouped in
/// the database), and only the partial days at either end, when a bound is not at midnight UTC, from the ledger itself.
/// </summary>
public static class SpendCells
{
    public static async Task<List<SpendCell>> LoadAsync(AppDbContext db, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var cells = new List<SpendCell>();
        if (to <= from) return cells;
        var firstWhole = SpendRollup.DayOf(from) + (IsMidnight(from) ? 0 : 1);
        var endWhole = SpendRollup.DayOf(to); // exclusive
        if (firstWhole < endWhole)
        {
            cells.AddRange(await db.Set<SpendDay>().AsNoTracking()
                .Where(d => d.Day >= firstWhole && d.Day < endWhole)
                .Select(d => new SpendCell(d.Day, d.ProviderId, d.UserId, d.KeyId, d.Model, d.CreditsMicro, d.UsdMicro, d.UsdKnown, d.UsdUnknown, d.Images, d.Generations))
                .ToListAsync(ct));
            if (!IsMidnight(from)) cells.AddRange(await FromLedgerAsync(db, from, SpendRollup.StartOf(firstWhole), ct));
            if (!IsMidnight(to)) cells.AddRange(await FromLedgerAsync(db, SpendRollup.StartOf(endWhole), to, ct));
        }
        else
        {
            cells.AddRange(await FromLedgerAsync(db, from, to, ct));
        }
        return cells;
    }

    private static bool IsMidnight(DateTimeOffset at) => at.UtcTicks % TimeSpan.TicksPerDay == 0;

    /// <summary>Less than a day of settlements, summed exactly as the rollup would.</summary>
    private static async Task<List<SpendCell>> FromLedgerAsync(AppDbContext db, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var rows = await db.Set<LedgerEntry>().AsNoTracking()
            .Where(e => e.Kind == LedgerEntryKind.Settlement && e.CreatedAt >= from && e.CreatedAt < to)
            .Join(db.Set<Jobs.Generation>(), e => e.GenerationId, g => g.Id, (e, g) => new { e.ProviderId, e.UserId, e.KeyId, e.Credits, e.CostUsd, e.Images, e.CreatedAt, g.Model })
            .ToListAsync(ct);
        return rows.GroupBy(r => (Day: SpendRollup.DayOf(r.CreatedAt), r.ProviderId, r.UserId, Key: r.KeyId ?? Guid.Empty, Model: r.Model ?? ""))
            .Select(g => new SpendCell(g.Key.Day, g.Key.ProviderId, g.Key.UserId, g.Key.Key, g.Key.Model,
                g.Sum(r => Micro.From(r.Credits)), g.Sum(r => r.CostUsd is { } usd ? Micro.From(usd) : 0),
                g.Count(r => r.CostUsd is not null), g.Count(r => r.CostUsd is null && r.Credits != 0), g.Sum(r => r.Images), g.Count()))
            .ToList();
    }
}
