using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend;

/// <summary>
/// Maintains <see cref="SpendDay"/>: one upsert per settlement, inside the ledger's transaction
/// (INSERT … ON CONFLICT DO UPDATE adds to the day's sums atomically on SQLite and PostgreSQL alike).
/// </summary>
public static class SpendRollup
{
    public static int DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime).DayNumber;

    public static DateTimeOffset StartOf(int day) => new(DateOnly.FromDayNumber(day).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public static Task AddAsync(AppDbContext db, LedgerEntry settlement, string? model, CancellationToken ct)
    {
        var credits = Micro.From(settlement.Credits);
        var usd = settlement.CostUsd is { } cost ? Micro.From(cost) : 0;
        var known = settlement.CostUsd is null ? 0 : 1;
        var unknown = settlement.CostUsd is null && settlement.Credits != 0 ? 1 : 0;
        var key = settlement.KeyId ?? Guid.Empty;
        var modelKey = model ?? "";
        var workspace = settlement.WorkspaceId == Guid.Empty ? db.CurrentWorkspaceId : settlement.WorkspaceId; // a row added in this save is stamped only when saved
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO "SpendDays" ("WorkspaceId", "Day", "ProviderId", "UserId", "KeyId", "Model", "CreditsMicro", "UsdMicro", "UsdKnown", "UsdUnknown", "Images", "Generations")
            VALUES ({workspace}, {DayOf(settlement.CreatedAt)}, {settlement.ProviderId}, {settlement.UserId}, {key}, {modelKey}, {credits}, {usd}, {known}, {unknown}, {settlement.Images}, 1)
            ON CONFLICT ("WorkspaceId", "Day", "ProviderId", "UserId", "KeyId", "Model") DO UPDATE SET
              "CreditsMicro" = "SpendDays"."CreditsMicro" + excluded."CreditsMicro",
              "UsdMicro" = "SpendDays"."UsdMicro" + excluded."UsdMicro",
              "UsdKnown" = "SpendDays"."UsdKnown" + excluded."UsdKnown",
              "UsdUnknown" = "SpendDays"."UsdUnknown" + excluded."UsdUnknown",
              "Images" = "SpendDays"."Images" + excluded."Images",
              "Generations" = "SpendDays"."Generations" + 1
            """, ct);
    }

    /// <summary>
    /// Rebuilds the current workspace's rollup from its ledger (for data written before the rollup existed, or a
    /// repair): the settlements are streamed once and summed exactly, then the rows are replaced in one transaction.
    /// </summary>
    public static async Task RebuildAsync(AppDbContext db, CancellationToken ct)
    {
        var sums = new Dictionary<(int Day, string Provider, Guid User, Guid Key, string Model), SpendDay>();
        var workspace = db.CurrentWorkspaceId;
        var rows = db.Set<LedgerEntry>().AsNoTracking().Where(e => e.Kind == LedgerEntryKind.Settlement)
            .Join(db.Set<Jobs.Generation>(), e => e.GenerationId, g => g.Id, (e, g) => new { e.ProviderId, e.UserId, e.KeyId, e.Credits, e.CostUsd, e.Images, e.CreatedAt, g.Model })
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
        {
            var key = (DayOf(row.CreatedAt), row.ProviderId, row.UserId, row.KeyId ?? Guid.Empty, row.Model ?? "");
            if (!sums.TryGetValue(key, out var day))
            {
                day = new SpendDay { WorkspaceId = workspace, Day = key.Item1, ProviderId = key.ProviderId, UserId = key.UserId, KeyId = key.Item4, Model = key.Item5 };
                sums[key] = day;
            }
            day.CreditsMicro += Micro.From(row.Credits);
            day.UsdMicro += row.CostUsd is { } usd ? Micro.From(usd) : 0;
            day.UsdKnown += row.CostUsd is null ? 0 : 1;
            day.UsdUnknown += row.CostUsd is null && row.Credits != 0 ? 1 : 0;
            day.Images += row.Images;
            day.Generations++;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Set<SpendDay>().ExecuteDeleteAsync(ct);
        db.AddRange(sums.Values);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }
}
