using ImageHub.Providers;
using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend;

/// <summary>One row of the spend page: a provider or a member, with what the settled ledger says.</summary>
public sealed record SpendRow(string Key, string Name, decimal Credits, decimal? CostUsd, int Images, int Generations);

/// <summary>One provider's credits spent by one member (credits are per provider: they never add up across providers).</summary>
public sealed record MemberProviderSpend(string ProviderId, decimal Credits);

public sealed record MemberSpendRow(Guid UserId, string Name, IReadOnlyList<MemberProviderSpend> Credits, decimal? CostUsd, int Images, int Generations);

/// <summary>The spend page's month: totals per provider and per member, what is still reserved, and the USD total where known.</summary>
public sealed record SpendMonth(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<SpendRow> Providers,
    IReadOnlyList<MemberSpendRow> Members,
    decimal TotalUsd,
    bool UsdIsPartial,
    int Images,
    int InFlight)
{
    public bool IsEmpty => Providers.Count == 0 && InFlight == 0;

    /// <summary>True when at least one settlement has a USD figure.</summary>
    public bool HasUsd => Providers.Any(p => p.CostUsd is not null);
}

/// <summary>
/// Reads the ledger JOBS writes for the spend page: settlements in a calendar month (UTC) of the current workspace,
/// grouped per provider and per member, plus reservations not yet settled or released (generations in flight).
/// Sums are taken in memory: SQLite stores decimals as text.
/// </summary>
public sealed class SpendQuery(IDbContextFactory<AppDbContext> contexts, TimeProvider time, IProviderRegistry registry)
{
    /// <summary>The provider's display name, from the provider itself.</summary>
    public string ProviderName(string providerId) => registry.TryGet(providerId, out var provider) ? provider.DisplayName : providerId;

    public async Task<SpendMonth> MonthAsync(DateTimeOffset? month = null, CancellationToken cancellationToken = default)
    {
        var now = month ?? time.GetUtcNow();
        var from = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddMonths(1);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entries = await db.Set<LedgerEntry>().AsNoTracking()
            .Where(e => e.CreatedAt >= from && e.CreatedAt < to)
            .Select(e => new { e.GenerationId, e.ProviderId, e.UserId, e.Kind, e.Credits, e.CostUsd, e.Images })
            .ToListAsync(cancellationToken);
        var settled = entries.Where(e => e.Kind == LedgerEntryKind.Settlement).ToList();
        var closed = entries.Where(e => e.Kind != LedgerEntryKind.Reservation).Select(e => e.GenerationId).ToHashSet();
        var inFlight = entries.Count(e => e.Kind == LedgerEntryKind.Reservation && !closed.Contains(e.GenerationId));

        var userIds = settled.Select(e => e.UserId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? "a member", cancellationToken);

        var providers = settled.GroupBy(e => e.ProviderId)
            .Select(g => new SpendRow(g.Key, ProviderName(g.Key), g.Sum(e => e.Credits), Usd(g.Select(e => e.CostUsd)),
                g.Sum(e => e.Images), g.Count()))
            .OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var members = settled.GroupBy(e => e.UserId)
            .Select(g => new MemberSpendRow(g.Key, names.GetValueOrDefault(g.Key, "a former member"),
                g.GroupBy(e => e.ProviderId).Select(p => new MemberProviderSpend(p.Key, p.Sum(e => e.Credits))).OrderBy(p => p.ProviderId, StringComparer.Ordinal).ToList(),
                Usd(g.Select(e => e.CostUsd)), g.Sum(e => e.Images), g.Count()))
            .OrderByDescending(m => m.CostUsd ?? 0).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
        return new SpendMonth(from, to, providers, members, settled.Sum(e => e.CostUsd ?? 0), settled.Any(e => e.CostUsd is null && e.Credits != 0),
            settled.Sum(e => e.Images), inFlight);
    }

    private static decimal? Usd(IEnumerable<decimal?> values)
    {
        var list = values.ToList();
        return list.Any(v => v is not null) ? list.Sum(v => v ?? 0) : null;
    }
}
