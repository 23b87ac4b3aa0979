using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Spend;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend.Budgets;

/// <summary>A hard budget had no room for a submission; nothing was stored or sent.</summary>
public sealed class BudgetExceededException(Failure failure) : GenerationRefusedException(failure);

/// <summary>A budget crossed one of its alert thresholds in its current period (reported once).</summary>
public sealed record BudgetCrossing(Budget Budget, int Threshold, DateTimeOffset? ResetsAt, Guid MemberConcerned);

/// <summary>
/// The budgets' side of the ledger, run inside the ledger's transaction (<see cref="LedgerCommitter"/>).
/// Reserving is one conditional UPDATE per budget (<c>SET Reserved = Reserved + x WHERE Spent + Reserved + x &lt;= Limit</c>):
/// SQLite runs it under the write lock its IMMEDIATE transaction took, PostgreSQL under the row lock the UPDATE takes
/// (a waiting UPDATE re-reads the row and re-checks the condition once the first commits), so concurrent submissions
/// can never together pass a hard limit. Budgets are updated in Id order, so two submissions never wait on each other crosswise.
/// </summary>
public static class BudgetLedger
{
    /// <summary>Reserves <paramref name="reservations"/> against every budget that covers them; throws <see cref="BudgetExceededException"/> when a hard one has no room.</summary>
    public static async Task ReserveAsync(AppDbContext db, IReadOnlyList<LedgerEntry> reservations, Func<string, string> providerName, DateTimeOffset now, CancellationToken ct)
    {
        var budgets = await db.Set<Budget>().AsNoTracking().OrderBy(b => b.Id).ToListAsync(ct);
        if (budgets.Count == 0) return;
        foreach (var budget in budgets)
        {
            var covered = reservations.Where(r => budget.Covers(r.ProviderId, r.UserId, r.KeyId)).ToList();
            if (covered.Count == 0) continue;
            var hard = budget.Enforcement == BudgetEnforcement.Hard;
            var amounts = new List<(LedgerEntry Entry, long Micro)>();
            foreach (var entry in covered)
            {
                long? micro = budget.Unit == BudgetUnit.Credits ? Micro.From(entry.Credits) : entry.CostUsd is { } usd ? Micro.From(usd) : null;
                if (micro is null && hard)
                {
                    throw Refused(budget, 0, $"The hard budget \"{budget.Name}\" is in USD, and no USD rate is known for {providerName(entry.ProviderId)}, so ImageHub cannot count this run against it. " +
                        "Set the rate under Spend → Prices, or make the budget soft.");
                }
                amounts.Add((entry, micro ?? 0));
            }
            var amount = amounts.Sum(a => a.Micro);
            var (start, _) = BudgetPeriods.Current(budget.Period, BudgetPeriods.FindZone(budget.TimeZone) ?? TimeZoneInfo.Utc, now);
            await RollOverAsync(db, budget.Id, start, ct);
            var query = db.Set<Budget>().Where(b => b.Id == budget.Id && b.PeriodStart == start);
            if (hard) query = query.Where(b => b.SpentMicro + b.ReservedMicro + amount <= b.LimitMicro);
            var updated = await query.ExecuteUpdateAsync(s => s.SetProperty(b => b.ReservedMicro, b => b.ReservedMicro + amount), ct);
            if (updated == 0 && hard)
            {
                var current = await db.Set<Budget>().AsNoTracking().FirstAsync(b => b.Id == budget.Id, ct);
                var remaining = Math.Max(0, current.LimitMicro - current.SpentMicro - current.ReservedMicro);
                throw Refused(current, remaining,
                    $"The hard budget \"{current.Name}\" has {Amount(current, remaining, providerName)} left this period; this run needs {Amount(current, amount, providerName)}. " +
                    "Nothing was sent. Wait for the budget to reset, or ask an Owner or Admin to raise it.");
            }
            foreach (var (entry, micro) in amounts)
            {
                db.Add(new BudgetCharge { WorkspaceId = budget.WorkspaceId, BudgetId = budget.Id, GenerationId = entry.GenerationId, PeriodStart = start, ReservedMicro = micro });
            }
        }
    }

    /// <summary>
    /// A settlement or a release: every budget covering the generation gets what was settled now added to its spend
    /// (in its current period), and what the generation reserved in that same period taken off its reservations.
    /// Returns the thresholds crossed for the first time in the period.
    /// </summary>
    public static async Task<IReadOnlyList<BudgetCrossing>> CloseAsync(AppDbContext db, LedgerEntry entry, DateTimeOffset now, CancellationToken ct)
    {
        var crossings = new List<BudgetCrossing>();
        var budgets = (await db.Set<Budget>().AsNoTracking().OrderBy(b => b.Id).ToListAsync(ct))
            .Where(b => b.Covers(entry.ProviderId, entry.UserId, entry.KeyId)).ToList();
        if (budgets.Count == 0) return crossings;
        var charges = await db.Set<BudgetCharge>().AsNoTracking().Where(c => c.GenerationId == entry.GenerationId).ToListAsync(ct);
        charges.AddRange(db.ChangeTracker.Entries<BudgetCharge>()
            .Where(e => e.State == EntityState.Added && e.Entity.GenerationId == entry.GenerationId).Select(e => e.Entity)); // reserved and closed in one save
        var settled = entry.Kind == LedgerEntryKind.Settlement;
        foreach (var budget in budgets)
        {
            var (start, end) = BudgetPeriods.Current(budget.Period, BudgetPeriods.FindZone(budget.TimeZone) ?? TimeZoneInfo.Utc, now);
            await RollOverAsync(db, budget.Id, start, ct);
            var spent = !settled ? 0 : budget.Unit == BudgetUnit.Credits ? Micro.From(entry.Credits) : entry.CostUsd is { } usd ? Micro.From(usd) : 0;
            var reserved = charges.Where(c => c.BudgetId == budget.Id && c.PeriodStart == start).Sum(c => c.ReservedMicro);
            if (spent == 0 && reserved == 0) continue;
            await db.Set<Budget>().Where(b => b.Id == budget.Id && b.PeriodStart == start).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.SpentMicro, b => b.SpentMicro + spent)
                .SetProperty(b => b.ReservedMicro, b => b.ReservedMicro - reserved), ct);
            if (spent == 0) continue;

            var current = await db.Set<Budget>().AsNoTracking().FirstAsync(b => b.Id == budget.Id, ct);
            var percent = current.LimitMicro <= 0 ? 100 : (int)Math.Min(100_000, current.SpentMicro * 100 / current.LimitMicro);
            var due = current.ThresholdList.Where(t => t > current.AlertedPercent && t <= percent).ToList();
            if (due.Count == 0) continue;
            var highest = due.Max();
            var marked = await db.Set<Budget>().Where(b => b.Id == budget.Id && b.PeriodStart == start && b.AlertedPercent < highest)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.AlertedPercent, highest), ct);
            if (marked == 0) continue;
            crossings.AddRange(due.Select(t => new BudgetCrossing(current, t, end, current.UserId ?? entry.UserId)));
        }
        return crossings;
    }

    /// <summary>Starts the new period's counter when the budget's row still holds an earlier one (at most one caller wins).</summary>
    private static Task<int> RollOverAsync(AppDbContext db, Guid budgetId, DateTimeOffset start, CancellationToken ct) =>
        db.Set<Budget>().Where(b => b.Id == budgetId && b.PeriodStart < start).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.PeriodStart, start)
            .SetProperty(b => b.SpentMicro, 0L)
            .SetProperty(b => b.ReservedMicro, 0L)
            .SetProperty(b => b.AlertedPercent, 0), ct);

    /// <summary>An amount in the budget's unit, for people: "12.5 Coals.ai credits", "$3.20".</summary>
    public static string Amount(Budget budget, long micro, Func<string, string> providerName) =>
        budget.Unit == BudgetUnit.Usd
            ? "$" + Micro.To(micro).ToString("0.00##", System.Globalization.CultureInfo.InvariantCulture)
            : Micro.To(micro).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) + " " + providerName(budget.ProviderId ?? "") + " credits";

    private static BudgetExceededException Refused(Budget budget, long remainingMicro, string message) =>
        new(Failure.BudgetExceeded(message, new Dictionary<string, object?>
        {
            ["budgetId"] = budget.Id,
            ["budget"] = budget.Name,
            ["unit"] = budget.Unit == BudgetUnit.Usd ? "usd" : "credits",
            ["provider"] = budget.ProviderId,
            ["remaining"] = Micro.To(remainingMicro),
        }));
}
