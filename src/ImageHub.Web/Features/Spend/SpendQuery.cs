using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Keys;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend;

/// <summary>One row of the spend page: a provider or a member, with what the settled ledger says.</summary>
public sealed record SpendRow(string Key, string Name, decimal Credits, decimal? CostUsd, int Images, int Generations);

/// <summary>One provider's credits spent by one member (credits are per provider: they never add up across providers).</summary>
public sealed record MemberProviderSpend(string ProviderId, decimal Credits);

public sealed record MemberSpendRow(Guid UserId, string Name, IReadOnlyList<MemberProviderSpend> Credits, decimal? CostUsd, int Images, int Generations);

/// <summary>A provider key's spend ("Built-in sandbox key" when none of the vault's paid).</summary>
public sealed record KeySpendRow(Guid KeyId, string Label, string ProviderId, string Provider, decimal Credits, decimal? CostUsd, int Images, int Generations);

/// <summary>A model's spend on its provider.</summary>
public sealed record ModelSpendRow(string ProviderId, string Provider, string Model, decimal Credits, decimal? CostUsd, int Images, int Generations);

/// <summary>A provider's credits on one day (UTC), for the chart.</summary>
public sealed record DailySpend(DateOnly Day, string ProviderId, decimal Credits);

/// <summary>A generation waiting for an Owner or Admin to say whether the provider charged it.</summary>
public sealed record ReviewItem(Guid GenerationId, string ProviderId, string Provider, string? Model, string Member, string? KeyLabel,
    decimal? EstimatedCredits, string? Reason, DateTimeOffset CreatedAt);

/// <summary>The spend page's range: totals per provider, member, key and model, per day, what is still reserved, and the USD total where known.</summary>
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
    public IReadOnlyList<KeySpendRow> Keys { get; init; } = [];
    public IReadOnlyList<ModelSpendRow> Models { get; init; } = [];
    public IReadOnlyList<DailySpend> Daily { get; init; } = [];
    public IReadOnlyList<ReviewItem> Reviews { get; init; } = [];

    public bool IsEmpty => Providers.Count == 0 && InFlight == 0 && Reviews.Count == 0;

    /// <summary>True when at least one settlement has a USD figure.</summary>
    public bool HasUsd => Providers.Any(p => p.CostUsd is not null);
}

/// <summary>
/// Reads the spend page's range from the daily rollup (<see cref="SpendCells"/>): settled spend grouped per
/// provider, member, key, model and day, plus the generations in flight and those waiting for review.
/// </summary>
public sealed class SpendQuery(IDbContextFactory<AppDbContext> contexts, TimeProvider time, IProviderRegistry registry)
{
    /// <summary>The provider's display name, from the provider itself.</summary>
    public string ProviderName(string providerId) => registry.TryGet(providerId, out var provider) ? provider.DisplayName : providerId;

    /// <summary>The calendar month (UTC) containing <paramref name="month"/> (default: now).</summary>
    public Task<SpendMonth> MonthAsync(DateTimeOffset? month = null, CancellationToken cancellationToken = default)
    {
        var now = month ?? time.GetUtcNow();
        var from = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return RangeAsync(from, from.AddMonths(1), cancellationToken);
    }

    /// <summary>Settled spend in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public async Task<SpendMonth> RangeAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var cells = await SpendCells.LoadAsync(db, from, to, cancellationToken);
        // An inline IN list (not ORs): SQLite answers it from the (Status, NextAttemptAt) index instead of scanning every generation.
        var inFlight = await db.Set<Generation>().AsNoTracking().CountAsync(g =>
            new[] { GenerationStatus.Queued, GenerationStatus.Submitting, GenerationStatus.Running, GenerationStatus.Downloading }.Contains(g.Status),
            cancellationToken);

        var userIds = cells.Select(c => c.UserId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? "a member", cancellationToken);
        var keyIds = cells.Select(c => c.KeyId).Where(k => k != Guid.Empty).Distinct().ToList();
        var labels = await db.Set<ProviderKey>().AsNoTracking().Where(k => keyIds.Contains(k.Id)).ToDictionaryAsync(k => k.Id, k => k.Label, cancellationToken);

        var providers = cells.GroupBy(c => c.ProviderId)
            .Select(g => new SpendRow(g.Key, ProviderName(g.Key), Credits(g), Usd(g), g.Sum(c => c.Images), g.Sum(c => c.Generations)))
            .OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var members = cells.GroupBy(c => c.UserId)
            .Select(g => new MemberSpendRow(g.Key, names.GetValueOrDefault(g.Key, "a former member"),
                g.GroupBy(c => c.ProviderId).Select(p => new MemberProviderSpend(p.Key, Credits(p))).OrderBy(p => p.ProviderId, StringComparer.Ordinal).ToList(),
                Usd(g), g.Sum(c => c.Images), g.Sum(c => c.Generations)))
            .OrderByDescending(m => m.CostUsd ?? 0).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
        var keys = cells.GroupBy(c => (c.KeyId, c.ProviderId))
            .Select(g => new KeySpendRow(g.Key.KeyId,
                g.Key.KeyId == Guid.Empty ? "Built-in sandbox key" : labels.GetValueOrDefault(g.Key.KeyId, "a deleted key"),
                g.Key.ProviderId, ProviderName(g.Key.ProviderId), Credits(g), Usd(g), g.Sum(c => c.Images), g.Sum(c => c.Generations)))
            .OrderBy(k => k.Provider, StringComparer.Ordinal).ThenBy(k => k.Label, StringComparer.Ordinal).ToList();
        var models = cells.GroupBy(c => (c.ProviderId, c.Model))
            .Select(g => new ModelSpendRow(g.Key.ProviderId, ProviderName(g.Key.ProviderId), g.Key.Model.Length == 0 ? "(default)" : g.Key.Model,
                Credits(g), Usd(g), g.Sum(c => c.Images), g.Sum(c => c.Generations)))
            .OrderBy(m => m.Provider, StringComparer.Ordinal).ThenBy(m => m.Model, StringComparer.Ordinal).ToList();
        var daily = cells.GroupBy(c => (c.Day, c.ProviderId))
            .Select(g => new DailySpend(DateOnly.FromDayNumber(g.Key.Day), g.Key.ProviderId, Credits(g)))
            .OrderBy(d => d.Day).ThenBy(d => d.ProviderId, StringComparer.Ordinal).ToList();

        // No ORDER BY in SQL: sorting by CreatedAt would make SQLite walk the whole workspace through (WorkspaceId, CreatedAt)
        // instead of finding the few rows waiting for review through (WorkspaceId, Status).
        var reviewRows = (await db.Set<Generation>().AsNoTracking()
            .Where(g => g.Status == GenerationStatus.NeedsReview && !db.Set<LedgerEntry>().Any(e => e.GenerationId == g.Id && e.Kind != LedgerEntryKind.Reservation))
            .ToListAsync(cancellationToken)).OrderBy(g => g.CreatedAt).Take(200).ToList();
        var reviewUsers = reviewRows.Select(r => r.CreatedById).Distinct().ToList();
        var reviewNames = await db.Users.AsNoTracking().Where(u => reviewUsers.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? "a member", cancellationToken);
        var reviews = reviewRows.Select(g => new ReviewItem(g.Id, g.ProviderId, ProviderName(g.ProviderId), g.Model,
            reviewNames.GetValueOrDefault(g.CreatedById, "a former member"), g.KeyLabel, g.EstimatedCredits, g.ErrorMessage, g.CreatedAt)).ToList();

        return new SpendMonth(from, to, providers, members, Micro.To(cells.Sum(c => c.UsdMicro)), cells.Any(c => c.UsdUnknown > 0),
            cells.Sum(c => c.Images), inFlight)
        {
            Keys = keys,
            Models = models,
            Daily = daily,
            Reviews = reviews,
        };
    }

    private static decimal Credits(IEnumerable<SpendCell> cells) => Micro.To(cells.Sum(c => c.CreditsMicro));

    private static decimal? Usd(IEnumerable<SpendCell> cells)
    {
        var list = cells.ToList();
        return list.Any(c => c.UsdKnown > 0) ? Micro.To(list.Sum(c => c.UsdMicro)) : null;
    }
}
