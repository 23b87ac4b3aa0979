using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Spend;
using ImageHub.Web.Features.Spend.Budgets;
using ImageHub.Web.Tests.Jobs;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Tests.Spend;

/// <summary>Budgets through the REST API against the sandbox: the atomic check-and-reserve, periods, bad input.</summary>
public sealed class BudgetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<DatabaseKind> BothDatabases => new(DatabaseKind.Sqlite, DatabaseKind.Postgres);

    /// <summary>POSTs a budget and returns its JSON (asserting 201).</summary>
    public static async Task<JsonElement> CreateBudgetAsync(JobsHost host, object body)
    {
        using var response = await host.Api.PostAsJsonAsync("/api/v1/budgets", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/v1/budgets answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> BudgetAsync(JobsHost host, Guid id)
    {
        var list = JsonDocument.Parse(await host.Api.GetStringAsync("/api/v1/budgets", Ct)).RootElement;
        return list.GetProperty("items").EnumerateArray().Single(b => b.GetProperty("id").GetGuid() == id).Clone();
    }

    [Theory]
    [MemberData(nameof(BothDatabases))]
    public async Task A_hard_budget_with_room_for_five_calls_lets_five_of_twelve_concurrent_submits_reach_the_provider(DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind);
        // Coals charges 2 credits per call, and estimates exactly that: room for 5.
        var budget = await CreateBudgetAsync(host, new { name = "Coals cap", scope = "provider", provider = "coals", period = "month", limitCredits = 10, enforcement = "hard" });

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var response = await host.Api.PostAsJsonAsync("/api/v1/generations", new { prompt = $"lighthouse {i}", provider = "coals" }, Ct);
            return (response.StatusCode, Body: JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone());
        }));

        var accepted = answers.Where(a => a.StatusCode == HttpStatusCode.Accepted).ToList();
        var refused = answers.Where(a => a.StatusCode != HttpStatusCode.Accepted).ToList();
        Assert.Equal(5, accepted.Count);
        Assert.Equal(7, refused.Count);
        foreach (var (status, body) in refused)
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, status);
            Assert.EndsWith("budget-exceeded", body.GetProperty("type").GetString());
            Assert.Equal("Coals cap", body.GetProperty("budget").GetString());
            Assert.Equal(budget.GetProperty("id").GetGuid(), body.GetProperty("budgetId").GetGuid());
            Assert.True(body.GetProperty("remaining").GetDecimal() < 2m, "what remains is less than one call");
            Assert.Contains("Coals cap", body.GetProperty("detail").GetString());
        }
        foreach (var (_, body) in accepted) Assert.Equal("Succeeded", (await host.WaitForAsync(body.GetProperty("id").GetGuid())).GetProperty("status").GetString());

        Assert.Equal(5, host.Account("coals").AcceptedSubmissions); // counted by the provider
        var after = await BudgetAsync(host, budget.GetProperty("id").GetGuid());
        Assert.Equal(10m, after.GetProperty("spentCredits").GetDecimal());
        Assert.Equal(0m, after.GetProperty("reserved").GetDecimal());
        Assert.Equal(0m, after.GetProperty("remaining").GetDecimal());
        // Nothing refused was stored: only the five generations exist.
        Assert.Equal(5, await host.InDatabaseAsync(db => db.Set<Generation>().IgnoreQueryFilters().CountAsync(Ct)));
    }

    [Theory]
    [MemberData(nameof(BothDatabases))]
    public async Task A_daily_budget_in_Berlin_resets_at_local_midnight_across_the_spring_DST_change(DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind);
        // Sunday 29 March 2026: Berlin moves from +01:00 to +02:00 at 02:00, so that day is 23 hours long.
        host.App.Clock.Advance(new DateTimeOffset(2026, 3, 29, 21, 50, 0, TimeSpan.Zero) - host.App.Clock.GetUtcNow()); // 23:50 in Berlin
        var created = await CreateBudgetAsync(host, new { name = "Daily", scope = "workspace", provider = "coals", period = "day", timeZone = "Europe/Berlin", limitCredits = 100, enforcement = "soft" });
        Assert.Equal("2026-03-30T00:00:00+02:00", created.GetProperty("resetsAt").GetString());
        var id = created.GetProperty("id").GetGuid();

        await host.WaitForAsync(await host.SubmitAsync("coals"));
        Assert.Equal(2m, (await BudgetAsync(host, id)).GetProperty("spentCredits").GetDecimal());

        host.App.Clock.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(59)); // 21:59:59Z, 23:59:59 local: still Sunday
        Assert.Equal(2m, (await BudgetAsync(host, id)).GetProperty("spentCredits").GetDecimal());

        host.App.Clock.Advance(TimeSpan.FromSeconds(1)); // 22:00Z = Monday 00:00 in Berlin (not 23:00Z, where a fixed +01:00 would put it)
        var monday = await BudgetAsync(host, id);
        Assert.Equal(0m, monday.GetProperty("spentCredits").GetDecimal());
        Assert.Equal("2026-03-31T00:00:00+02:00", monday.GetProperty("resetsAt").GetString());

        await host.WaitForAsync(await host.SubmitAsync("coals", "after midnight"));
        Assert.Equal(2m, (await BudgetAsync(host, id)).GetProperty("spentCredits").GetDecimal()); // the new day's counter only
    }

    [Fact]
    public void Periods_start_at_local_midnight_Monday_and_the_first_across_both_DST_changes_in_Berlin()
    {
        var berlin = BudgetPeriods.FindZone("Europe/Berlin")!;
        // Autumn: 25 October 2026 is 25 hours long (+02:00 → +01:00 at 03:00).
        var (dayStart, dayEnd) = BudgetPeriods.Current(BudgetPeriod.Day, berlin, new DateTimeOffset(2026, 10, 25, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero), dayStart);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 23, 0, 0, TimeSpan.Zero), dayEnd);
        Assert.Equal(TimeSpan.FromHours(25), dayEnd!.Value - dayStart);

        var (weekStart, weekEnd) = BudgetPeriods.Current(BudgetPeriod.Week, berlin, new DateTimeOffset(2026, 3, 29, 12, 0, 0, TimeSpan.Zero)); // a Sunday
        Assert.Equal(new DateTimeOffset(2026, 3, 22, 23, 0, 0, TimeSpan.Zero), weekStart); // Monday 23 March, 00:00 +01:00
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 22, 0, 0, TimeSpan.Zero), weekEnd);   // Monday 30 March, 00:00 +02:00

        var (monthStart, monthEnd) = BudgetPeriods.Current(BudgetPeriod.Month, berlin, new DateTimeOffset(2026, 3, 31, 22, 30, 0, TimeSpan.Zero)); // 1 April 00:30 local
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero), monthStart);
        Assert.Equal(new DateTimeOffset(2026, 4, 30, 22, 0, 0, TimeSpan.Zero), monthEnd);

        var (totalStart, totalEnd) = BudgetPeriods.Current(BudgetPeriod.Total, berlin, DateTimeOffset.UtcNow);
        Assert.Equal(BudgetPeriods.TotalStart, totalStart);
        Assert.Null(totalEnd);
    }

    public static TheoryData<string, string> BadBudgets => new()
    {
        { """{"name":"x","scope":"team","period":"month","provider":"coals","limitCredits":5}""", "scope" },
        { """{"name":"x","scope":"workspace","period":"fortnight","provider":"coals","limitCredits":5}""", "period" },
        { """{"name":"x","scope":"workspace","period":"month","timeZone":"Mars/Olympus","provider":"coals","limitCredits":5}""", "timeZone" },
        { """{"name":"x","scope":"workspace","period":"month","limitCredits":5}""", "provider" },
        { """{"name":"x","scope":"workspace","period":"month","provider":"kolbo","limitUsd":5}""", "limitUsd" },
        { """{"name":"x","scope":"workspace","period":"month","provider":"coals","limitCredits":-1}""", "limitCredits" },
        { """{"name":"x","scope":"workspace","period":"month","provider":"coals","limitCredits":5,"alertThresholds":[0,50]}""", "alertThresholds" },
        { """{"name":"x","scope":"workspace","period":"month","provider":"coals","limitCredits":5,"alertThresholds":[50,120]}""", "alertThresholds" },
    };

    [Theory]
    [MemberData(nameof(BadBudgets))]
    public async Task A_bad_budget_is_a_400_naming_the_field(string body, string field)
    {
        await using var host = JobsHost.Start();
        using var response = await host.Api.PostAsync("/api/v1/budgets", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {problem}");
    }

    [Fact]
    public async Task A_usd_budget_counts_usd_and_a_deleted_budget_stops_refusing()
    {
        await using var host = JobsHost.Start();
        // Coals publishes $0.01 per credit: a call is 2 credits = $0.02.
        var budget = await CreateBudgetAsync(host, new { name = "Dollars", scope = "workspace", period = "total", limitUsd = 0.03m, provider = "coals" });
        Assert.Equal(JsonValueKind.Null, budget.GetProperty("resetsAt").ValueKind); // a total budget never resets
        await host.WaitForAsync(await host.SubmitAsync("coals"));
        Assert.Equal(0.02m, (await BudgetAsync(host, budget.GetProperty("id").GetGuid())).GetProperty("spentUsd").GetDecimal());

        using var refused = await host.Api.PostAsJsonAsync("/api/v1/generations", new { prompt = "one more", provider = "coals" }, Ct);
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Contains("$0.01", await refused.Content.ReadAsStringAsync(Ct));

        using var deleted = await host.Api.DeleteAsync($"/api/v1/budgets/{budget.GetProperty("id").GetGuid()}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await host.WaitForAsync(await host.SubmitAsync("coals", "now without a budget"));
    }
}
