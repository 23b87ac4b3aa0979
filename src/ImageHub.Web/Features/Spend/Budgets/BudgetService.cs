using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Features.Spend;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend.Budgets;

/// <summary>What a new budget asks for, as the API and the page send it (strings, so a bad value is a field error, not a parse failure).</summary>
public sealed record BudgetDraft(
    string? Name,
    string? Scope,
    string? Provider,
    Guid? UserId,
    Guid? KeyId,
    string? Period,
    string? TimeZone,
    decimal? LimitCredits,
    decimal? LimitUsd,
    string? Enforcement,
    IReadOnlyList<int>? AlertThresholds);

/// <summary>A budget with its current period's figures.</summary>
public sealed record BudgetView(
    Guid Id,
    string Name,
    string Scope,
    string? Provider,
    Guid? UserId,
    string? Member,
    Guid? KeyId,
    string? KeyLabel,
    string Period,
    string TimeZone,
    string Unit,
    decimal Limit,
    string Enforcement,
    IReadOnlyList<int> AlertThresholds,
    decimal Spent,
    decimal Reserved,
    decimal Remaining,
    DateTimeOffset PeriodStart,
    DateTimeOffset? ResetsAt)
{
    public decimal? LimitCredits => Unit == "credits" ? Limit : null;
    public decimal? LimitUsd => Unit == "usd" ? Limit : null;
    public decimal? SpentCredits => Unit == "credits" ? Spent : null;
    public decimal? SpentUsd => Unit == "usd" ? Spent : null;
    public int PercentUsed => Limit <= 0 ? 100 : (int)Math.Min(999, Math.Round((Spent + Reserved) * 100 / Limit));
}

/// <summary>Creates, lists and deletes the current workspace's budgets (Owners and Admins create and delete; everyone reads).</summary>
public sealed class BudgetService(
    IDbContextFactory<AppDbContext> contexts,
    WorkspaceAccess access,
    CurrentWorkspace workspace,
    IProviderRegistry providers,
    PricingService pricing,
    Jobs.IGenerationKeys keys,
    TimeProvider time)
{
    public const string DefaultTimeZone = "UTC";
    private const string AdminsOnly = "Only the workspace's Owners and Admins set budgets.";

    public async Task<Outcome<BudgetView>> CreateAsync(Guid userId, BudgetDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (!workspace.IsSet) return Failure.Invalid("workspace", "Pick or create a workspace first.");
        if (!await access.IsAdminAsync(ct)) return Failure.Forbidden(AdminsOnly);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var errors = new List<FieldError>();

        var name = draft.Name?.Trim() ?? "";
        if (name.Length == 0) errors.Add(new("name", "Give the budget a name."));
        else if (name.Length > Budget.NameMaxLength) errors.Add(new("name", $"The name is {name.Length} characters; at most {Budget.NameMaxLength}."));

        var scope = ParseEnum<BudgetScope>(draft.Scope, "scope", "workspace, provider, member or key", errors);
        var period = ParseEnum<BudgetPeriod>(draft.Period, "period", "day, week, month or total", errors);
        var enforcement = string.IsNullOrWhiteSpace(draft.Enforcement) ? BudgetEnforcement.Hard
            : ParseEnum<BudgetEnforcement>(draft.Enforcement, "enforcement", "hard or soft", errors);
        var zoneId = string.IsNullOrWhiteSpace(draft.TimeZone) ? DefaultTimeZone : draft.TimeZone.Trim();
        var zone = BudgetPeriods.FindZone(zoneId);
        if (zone is null) errors.Add(new("timeZone", $"\"{Clip(zoneId)}\" is not an IANA time zone; use one like Europe/Berlin, America/New_York or UTC."));

        string? providerId = null;
        if (!string.IsNullOrWhiteSpace(draft.Provider))
        {
            if (providers.TryGet(draft.Provider.Trim(), out var provider)) providerId = provider.Id;
            else errors.Add(new("provider", $"\"{Clip(draft.Provider)}\" is not a provider; use one of: {string.Join(", ", ProviderIds.All)}."));
        }

        Guid? member = null, keyId = null;
        if (scope == BudgetScope.Provider && providerId is null && string.IsNullOrWhiteSpace(draft.Provider))
            errors.Add(new("provider", "A provider budget needs the provider it caps."));
        if (scope == BudgetScope.Member)
        {
            if (draft.UserId is not { } user) errors.Add(new("userId", "A member budget needs the member's userId."));
            else if (!await db.Set<WorkspaceMember>().AnyAsync(m => m.UserId == user, ct)) errors.Add(new("userId", "That user is not a member of this workspace."));
            else member = user;
        }
        if (scope == BudgetScope.Key)
        {
            var key = draft.KeyId is { } k ? await db.Set<ProviderKey>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == k, ct) : null;
            if (draft.KeyId is null) errors.Add(new("keyId", "A key budget needs the keyId of the provider key it caps."));
            else if (key is null) errors.Add(new("keyId", "There is no such key in this workspace."));
            else
            {
                keyId = key.Id;
                if (providerId is not null && providerId != key.ProviderId) errors.Add(new("provider", "The key belongs to another provider; leave provider out or give the key's."));
                providerId = key.ProviderId;
            }
        }

        BudgetUnit unit = BudgetUnit.Credits;
        decimal limit = 0;
        if (draft.LimitCredits is not null && draft.LimitUsd is not null) errors.Add(new("limitCredits", "Give either limitCredits or limitUsd, not both."));
        else if (draft.LimitCredits is { } credits)
        {
            limit = credits;
            if (credits < 0) errors.Add(new("limitCredits", "A limit cannot be negative."));
            if (providerId is null && string.IsNullOrWhiteSpace(draft.Provider))
                errors.Add(new("provider", "Credits are each provider's own unit: a credits limit needs the provider (or give limitUsd)."));
        }
        else if (draft.LimitUsd is { } usd)
        {
            unit = BudgetUnit.Usd;
            limit = usd;
            if (usd < 0) errors.Add(new("limitUsd", "A limit cannot be negative."));
            var prices = await pricing.ListAsync(ct);
            var unpriced = prices.Where(p => p.UsdPerCredit is null && (providerId is null || p.ProviderId == providerId)).Select(p => p.DisplayName).ToList();
            if (unpriced.Count > 0)
                errors.Add(new("limitUsd", $"No USD rate is known for {string.Join(", ", unpriced)}, so a USD limit cannot count {(unpriced.Count == 1 ? "it" : "them")}. " +
                    "Set the rate under Spend → Prices, limit one provider that has a rate, or use limitCredits."));
        }
        else errors.Add(new("limitCredits", "Give the limit: limitCredits (with a provider) or limitUsd."));
        if (limit > 1_000_000_000) errors.Add(new(unit == BudgetUnit.Usd ? "limitUsd" : "limitCredits", "A limit must be at most 1,000,000,000."));

        var thresholds = (draft.AlertThresholds ?? [50, 80, 100]).Distinct().Order().ToList();
        if (thresholds.Any(t => t is < 1 or > 100)) errors.Add(new("alertThresholds", "Alert thresholds are percentages from 1 to 100."));
        if (thresholds.Count > 10) errors.Add(new("alertThresholds", "At most 10 alert thresholds."));

        if (errors.Count > 0) return Failure.Invalid(errors);

        var now = time.GetUtcNow();
        var (start, end) = BudgetPeriods.Current(period, zone!, now);
        var budget = new Budget
        {
            Name = name,
            Scope = scope,
            ProviderId = providerId,
            UserId = member,
            KeyId = keyId,
            Period = period,
            TimeZone = zoneId,
            Unit = unit,
            LimitMicro = Micro.From(limit),
            Enforcement = enforcement,
            Thresholds = string.Join(',', thresholds),
            PeriodStart = start,
            CreatedById = userId,
            CreatedAt = now,
        };
        // What was already settled in this period counts from the start (the ledger read once, summed exactly).
        budget.SpentMicro = await SettledSinceAsync(db, budget, start, end ?? now.AddDays(1), ct);
        db.Add(budget);
        await db.SaveChangesAsync(ct);
        return Outcome<BudgetView>.Ok((await ViewsAsync(db, [budget], ct))[0]);
    }

    public async Task<IReadOnlyList<BudgetView>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var budgets = await db.Set<Budget>().AsNoTracking().OrderBy(b => b.CreatedAt).ToListAsync(ct);
        return await ViewsAsync(db, budgets, ct);
    }

    public async Task<Outcome> DeleteAsync(Guid id, CancellationToken ct)
    {
        if (!await access.IsAdminAsync(ct)) return Failure.Forbidden(AdminsOnly);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var removed = await db.Set<Budget>().Where(b => b.Id == id).ExecuteDeleteAsync(ct);
        return removed == 0 ? Failure.NotFound("There is no such budget in this workspace.") : Outcome.Ok("Budget removed.");
    }

    /// <summary>Per provider, the budgets that would count a run by <paramref name="userId"/> now (with the key that would pay).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<BudgetView>>> ForComposerAsync(Guid userId, IEnumerable<string> providerIds, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var budgets = await db.Set<Budget>().AsNoTracking().ToListAsync(ct);
        var result = new Dictionary<string, IReadOnlyList<BudgetView>>();
        if (budgets.Count == 0) return result;
        var views = (await ViewsAsync(db, budgets, ct)).ToDictionary(v => v.Id);
        var role = await access.RoleOfAsync(userId, ct); // once, for every provider's paying key
        foreach (var providerId in providerIds)
        {
            var key = await keys.ResolveAsync(userId, role, providerId, ct);
            result[providerId] = budgets.Where(b => b.Covers(providerId, userId, key.KeyId)).Select(b => views[b.Id])
                .OrderBy(v => v.Limit <= 0 ? 0 : v.Remaining / v.Limit).ToList();
        }
        return result;
    }

    private async Task<IReadOnlyList<BudgetView>> ViewsAsync(AppDbContext db, IReadOnlyList<Budget> budgets, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var userIds = budgets.Where(b => b.UserId is not null).Select(b => b.UserId!.Value).ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? "a member", ct);
        var keyIds = budgets.Where(b => b.KeyId is not null).Select(b => b.KeyId!.Value).ToList();
        var labels = await db.Set<ProviderKey>().AsNoTracking().Where(k => keyIds.Contains(k.Id)).ToDictionaryAsync(k => k.Id, k => k.Label, ct);
        return budgets.Select(b =>
        {
            var zone = BudgetPeriods.FindZone(b.TimeZone) ?? TimeZoneInfo.Utc;
            var (start, end) = BudgetPeriods.Current(b.Period, zone, now);
            // A row still holding an earlier period has not been touched since it reset: nothing spent in this one yet.
            var current = b.PeriodStart >= start;
            var spent = current ? b.SpentMicro : 0;
            var reserved = current ? b.ReservedMicro : 0;
            return new BudgetView(b.Id, b.Name, b.Scope.ToString().ToLowerInvariant(), b.ProviderId, b.UserId,
                b.UserId is { } u ? names.GetValueOrDefault(u, "a former member") : null, b.KeyId, b.KeyId is { } k ? labels.GetValueOrDefault(k, "a deleted key") : null,
                b.Period.ToString().ToLowerInvariant(), b.TimeZone, b.Unit == BudgetUnit.Usd ? "usd" : "credits", Micro.To(b.LimitMicro),
                b.Enforcement.ToString().ToLowerInvariant(), b.ThresholdList, Micro.To(spent), Micro.To(reserved),
                Micro.To(Math.Max(0, b.LimitMicro - spent - reserved)),
                TimeZoneInfo.ConvertTime(start, zone), end is { } e ? TimeZoneInfo.ConvertTime(e, zone) : null);
        }).ToList();
    }

    /// <summary>What the ledger settled in [start, end) that the budget covers, in its unit.</summary>
    private static async Task<long> SettledSinceAsync(AppDbContext db, Budget budget, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var cells = await SpendCells.LoadAsync(db, start, end, ct);
        return cells.Where(c => budget.Covers(c.ProviderId, c.UserId, c.KeyId == Guid.Empty ? null : c.KeyId))
            .Sum(c => budget.Unit == BudgetUnit.Usd ? c.UsdMicro : c.CreditsMicro);
    }

    private static T ParseEnum<T>(string? value, string field, string allowed, List<FieldError> errors) where T : struct, Enum
    {
        if (!string.IsNullOrWhiteSpace(value) && Enum.TryParse<T>(value.Trim(), ignoreCase: true, out var parsed) && !int.TryParse(value, out _)) return parsed;
        errors.Add(new FieldError(field, string.IsNullOrWhiteSpace(value) ? $"Give the {field}: {allowed}." : $"\"{Clip(value)}\" is not a {field}; use {allowed}."));
        return default;
    }

    private static string Clip(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
