using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Spend;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Tests.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Spend;

/// <summary>The CSV export against the spend API, the daily rollup against the ledger, and review decisions.</summary>
public sealed class LedgerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<DatabaseKind> BothDatabases => new(DatabaseKind.Sqlite, DatabaseKind.Postgres);

    [Theory]
    [MemberData(nameof(BothDatabases))]
    public async Task The_CSV_export_lists_each_settled_generation_and_its_credits_per_provider_equal_the_spend_API(DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind);
        var ids = new List<Guid>();
        foreach (var provider in new[] { "coals", "qolaba", "coals", "kolbo", "koala" })
        {
            ids.Add(await host.SubmitAsync(provider, "export " + provider, numImages: 2, model: JobsHost.ModelFor(provider)));
            await host.WaitForAsync(ids[^1]);
            host.App.Clock.Advance(TimeSpan.FromHours(7)); // spread over days
        }
        host.Sandbox.SetBalance("kolbo", JobsHost.SandboxKey, 0);
        var failed = await host.SubmitAsync("kolbo", "no credits left");
        Assert.Equal("Failed", (await host.WaitForAsync(failed)).GetProperty("status").GetString());

        using var response = await host.Api.GetAsync("/api/v1/spend/export?from=2026-05-01&to=2026-05-03", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("generation_id,completed_at,provider,model,member,key_label,images,credits,cost_usd", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(ids.Order(), rows.Select(r => Guid.Parse(r[0])).Order()); // the failed run was not charged: not listed
        Assert.All(rows, r => Assert.Equal(JobsHost.AdminEmail, r[4]));
        Assert.All(rows, r => Assert.Equal("2", r[6]));

        var spend = JsonDocument.Parse(await host.Api.GetStringAsync("/api/v1/spend?from=2026-05-01&to=2026-05-03", Ct)).RootElement.GetProperty("providers");
        var fromCsv = rows.GroupBy(r => r[2]).ToDictionary(g => g.Key, g => g.Sum(r => decimal.Parse(r[7], CultureInfo.InvariantCulture)));
        var fromApi = spend.EnumerateArray().ToDictionary(p => p.GetProperty("provider").GetString()!, p => p.GetProperty("credits").GetDecimal());
        Assert.Equal(fromApi.OrderBy(p => p.Key), fromCsv.OrderBy(p => p.Key));
        Assert.Equal(4, fromApi.Count);
        Assert.True(fromApi["coals"] > 0);

        // A range that starts and ends mid-day reads the edges from the ledger and still agrees with the CSV's lines in it.
        var partial = JsonDocument.Parse(await host.Api.GetStringAsync("/api/v1/spend?from=2026-05-01T15:00:00Z&to=2026-05-02T02:00:00Z", Ct)).RootElement.GetProperty("providers");
        var expected = rows.Where(r => DateTimeOffset.Parse(r[1], CultureInfo.InvariantCulture) is var at && at >= new DateTimeOffset(2026, 5, 1, 15, 0, 0, TimeSpan.Zero) && at < new DateTimeOffset(2026, 5, 2, 2, 0, 0, TimeSpan.Zero))
            .GroupBy(r => r[2]).ToDictionary(g => g.Key, g => g.Sum(r => decimal.Parse(r[7], CultureInfo.InvariantCulture)));
        Assert.Equal(expected.OrderBy(p => p.Key), partial.EnumerateArray().ToDictionary(p => p.GetProperty("provider").GetString()!, p => p.GetProperty("credits").GetDecimal()).OrderBy(p => p.Key));

        using var bad = await host.Api.GetAsync("/api/v1/spend/export?from=May&to=2026-05-03", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("from", await bad.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(BothDatabases))]
    public async Task The_daily_rollup_always_equals_the_ledger_and_a_rebuild_changes_nothing(DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind);
        await Task.WhenAll(new[] { "coals", "coals", "qolaba", "koala" }.Select(async (p, i) =>
            await host.WaitForAsync(await host.SubmitAsync(p, $"rollup {i}", model: JobsHost.ModelFor(p)))));
        static async Task<List<(int, string, long, long, int, int)>> Days(JobsHost host) => await host.InDatabaseAsync(async db =>
            (await db.Set<SpendDay>().IgnoreQueryFilters().AsNoTracking().ToListAsync(Ct))
                .Select(d => (d.Day, d.ProviderId + "/" + d.Model, d.CreditsMicro, d.UsdMicro, d.Images, d.Generations)).Order().ToList());
        var before = await Days(host);
        var ledger = await host.InDatabaseAsync(db => db.Set<LedgerEntry>().IgnoreQueryFilters().AsNoTracking().Where(e => e.Kind == LedgerEntryKind.Settlement).ToListAsync(Ct));
        Assert.Equal(ledger.Sum(e => e.Credits), before.Sum(d => d.Item3) / 1_000_000m);
        Assert.Equal(4, before.Sum(d => d.Item6));

        var workspace = await host.InDatabaseAsync(db => db.Set<Workspace>().IgnoreQueryFilters().Select(w => w.Id).SingleAsync(Ct));
        await host.App.InScopeAsync(async sp =>
        {
            sp.GetRequiredService<CurrentWorkspace>().Set(workspace, WorkspaceRole.Owner);
            await SpendRollup.RebuildAsync(sp.GetRequiredService<AppDbContext>(), Ct);
        });
        Assert.Equal(before, await Days(host));
    }

    [Theory]
    [MemberData(nameof(BothDatabases))]
    public async Task An_admin_resolves_a_review_as_charged_which_settles_or_as_not_charged_which_releases_and_both_are_audited(DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        var budget = await BudgetTests.CreateBudgetAsync(host, new { name = "Cap", scope = "provider", provider = "coals", period = "month", limitCredits = 10 });
        var charged = await host.SubmitAsync("coals", "cut off 1");
        var released = await host.SubmitAsync("coals", "cut off 2");
        // Both were sent and cut off mid-request: the provider may have charged them.
        await host.InDatabaseAsync(async db =>
        {
            foreach (var generation in await db.Set<Generation>().IgnoreQueryFilters().ToListAsync(Ct))
            {
                generation.BeginSubmission(host.App.Clock.GetUtcNow());
                generation.MarkForReview("timeout", "The connection dropped mid-request.", host.App.Clock.GetUtcNow());
            }
            return await db.SaveChangesAsync(Ct);
        });
        Assert.Equal(4m, (await BudgetTests.BudgetAsync(host, budget.GetProperty("id").GetGuid())).GetProperty("reserved").GetDecimal());

        using var noCredits = await host.Api.PostAsJsonAsync($"/api/v1/generations/{charged}/review", new { charged = true }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, noCredits.StatusCode);
        Assert.Contains("credits", await noCredits.Content.ReadAsStringAsync(Ct));

        using var settle = await host.Api.PostAsJsonAsync($"/api/v1/generations/{charged}/review", new { charged = true, credits = 2.5m, note = "dashboard shows it" }, Ct);
        Assert.Equal(HttpStatusCode.OK, settle.StatusCode);
        using var release = await host.Api.PostAsJsonAsync($"/api/v1/generations/{released}/review", new { charged = false }, Ct);
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        using var again = await host.Api.PostAsJsonAsync($"/api/v1/generations/{released}/review", new { charged = true, credits = 1 }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var settledLedger = await host.LedgerAsync(charged);
        Assert.Equal(2.5m, Assert.Single(settledLedger, e => e.Kind == LedgerEntryKind.Settlement).Credits);
        var releasedLedger = await host.LedgerAsync(released);
        Assert.Single(releasedLedger, e => e.Kind == LedgerEntryKind.Release);
        Assert.DoesNotContain(releasedLedger, e => e.Kind == LedgerEntryKind.Settlement);

        var after = await BudgetTests.BudgetAsync(host, budget.GetProperty("id").GetGuid());
        Assert.Equal(2.5m, after.GetProperty("spentCredits").GetDecimal());
        Assert.Equal(0m, after.GetProperty("reserved").GetDecimal());
        var spend = JsonDocument.Parse(await host.Api.GetStringAsync("/api/v1/spend", Ct)).RootElement.GetProperty("providers");
        Assert.Equal(2.5m, Assert.Single(spend.EnumerateArray()).GetProperty("credits").GetDecimal());

        var audit = await host.InDatabaseAsync(db => db.Set<SpendAuditEntry>().IgnoreQueryFilters().AsNoTracking().OrderBy(e => e.Action).ToListAsync(Ct));
        Assert.Equal([SpendAuditEntry.Charged, SpendAuditEntry.NotCharged], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(JobsHost.AdminEmail, a.ActorEmail));
        Assert.Equal(2.5m, audit[0].Credits);
        Assert.Equal("dashboard shows it", audit[0].Note);
    }
}
