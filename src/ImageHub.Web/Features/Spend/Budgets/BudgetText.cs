using System.Globalization;
using ImageHub.Providers;

namespace ImageHub.Web.Features.Spend.Budgets;

/// <summary>How budgets read on the pages.</summary>
public static class BudgetText
{
    public static string Amount(BudgetView budget, decimal value, IProviderRegistry providers) =>
        budget.Unit == "usd"
            ? "$" + value.ToString("0.00##", CultureInfo.InvariantCulture)
            : value.ToString("0.####", CultureInfo.InvariantCulture) + " " + ProviderName(budget.Provider, providers) + " credits";

    public static string ProviderName(string? id, IProviderRegistry providers) =>
        id is null ? "" : providers.TryGet(id, out var provider) ? provider.DisplayName : id;

    public static string Resets(BudgetView budget) =>
        budget.ResetsAt is { } at ? $"resets {at.ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture)} ({budget.TimeZone})" : "never resets";

    /// <summary>"Budget “Team”: 12 Coals.ai credits left of 40 (resets …)."</summary>
    public static string Remaining(BudgetView budget, IProviderRegistry providers) =>
        $"{(budget.Enforcement == "hard" ? "Budget" : "Soft budget")} “{budget.Name}”: {Amount(budget, budget.Remaining, providers)} left of {Amount(budget, budget.Limit, providers)}, {Resets(budget)}.";

    public static string Blocked(BudgetView budget, decimal need, IProviderRegistry providers) =>
        $"the hard budget “{budget.Name}” has {Amount(budget, budget.Remaining, providers)} left and this run needs about {Amount(budget, need, providers)}. " +
        (budget.ResetsAt is null ? "Ask an Owner or Admin to raise it." : $"It {Resets(budget)}, or ask an Owner or Admin to raise it.");

    public static string Scope(BudgetView budget, IProviderRegistry providers) => budget.Scope switch
    {
        "workspace" => "Workspace" + (budget.Provider is null ? "" : " · " + ProviderName(budget.Provider, providers)),
        "provider" => ProviderName(budget.Provider, providers),
        "member" => (budget.Member ?? "a member") + (budget.Provider is null ? "" : " · " + ProviderName(budget.Provider, providers)),
        _ => "Key " + (budget.KeyLabel ?? "") + " · " + ProviderName(budget.Provider, providers),
    };
}
