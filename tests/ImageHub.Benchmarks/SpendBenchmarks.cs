extern alias web;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using web::ImageHub.Web.Data;
using web::ImageHub.Web.Features.Spend;
using web::ImageHub.Web.Features.Workspaces;

namespace ImageHub.Benchmarks;

/// <summary>
/// <c>GET /api/v1/spend</c> (bearer token, in-memory TestServer) and the spend page's query with
/// <see cref="Generations"/> generations in the current month, each with a reservation and a settlement
/// (so 2 × Generations ledger rows), spread over four providers and 20 members. Seeded with one SQL statement
/// per table (the app's own schema, migrated on start); the PostgreSQL case runs when IMAGEHUB_TEST_POSTGRES
/// holds a connection string without a database name (a database is created and dropped).
/// <c>dotnet run -c Release --project tests/ImageHub.Benchmarks -- --filter '*Spend*'</c>
/// </summary>
[Config(typeof(Config))]
public class SpendBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(9).WithId("Spend-InProcess"));
            AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        }
    }

    private const string Token = "ihp_benchmark_token_0000000000000002";
    private const string PostgresVariable = BenchHost.PostgresVariable;

    public const int Generations = 500_000;
    private const string EmptyJson = "{{}}"; // ExecuteSqlRaw reads braces as placeholders: this is "{}"

    private BenchHost host = null!;
    private Guid workspaceId;
    private Guid adminId;

    /// <summary>SQLite, and PostgreSQL when configured; IMAGEHUB_BENCH_DATABASES (e.g. "Postgres") picks some.</summary>
    public static IEnumerable<string> Databases()
    {
        IEnumerable<string> all = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresVariable)) ? ["Sqlite"] : ["Sqlite", "Postgres"];
        var only = Environment.GetEnvironmentVariable("IMAGEHUB_BENCH_DATABASES");
        return string.IsNullOrWhiteSpace(only) ? all : all.Where(d => only.Contains(d, StringComparison.OrdinalIgnoreCase));
    }

    [ParamsSource(nameof(Databases))]
    public string Database { get; set; } = "Sqlite";

    [GlobalSetup]
    public void Setup()
    {
        host = BenchHost.StartAsync(Database, new Dictionary<string, string?> { ["Sandbox:Enabled"] = "true", ["Jobs:Enabled"] = "false" }, Token)
            .GetAwaiter().GetResult();
        (adminId, workspaceId) = (host.AdminId, host.WorkspaceId);
        SeedAsync().GetAwaiter().GetResult();
        var warm = host.Api.GetAsync("/api/v1/spend").GetAwaiter().GetResult();
        if (!warm.IsSuccessStatusCode) throw new InvalidOperationException($"GET /api/v1/spend answered {(int)warm.StatusCode}");
    }

    private async Task SeedAsync()
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentWorkspace>().Set(workspaceId, WorkspaceRole.Owner, userId: adminId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var now = DateTimeOffset.UtcNow;
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var span = (long)TimeSpan.FromDays(28).TotalMilliseconds;
        if (Database == "Sqlite")
        {
            var ws = workspaceId.ToString().ToUpperInvariant();
            var admin = adminId.ToString().ToUpperInvariant();
            var start = monthStart.ToUnixTimeMilliseconds();
            await db.Database.ExecuteSqlRawAsync(Sql($"""
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {Generations - 1})
                INSERT INTO "Generations" ("Id","WorkspaceId","CreatedById","ProviderId","Model","Prompt","NumImages","OptionsJson","Status","KeyLabel","EstimatedCredits","Credits","CostUsd","CreatedAt","CompletedAt","Attempts","CancelRequested")
                SELECT printf('%08X-0000-7000-8000-%012X', i, i), '{ws}', CASE WHEN i % 20 = 0 THEN '{admin}' ELSE printf('00000000-0000-4000-8000-%012X', i % 20) END,
                  CASE i % 4 WHEN 0 THEN 'koala' WHEN 1 THEN 'qolaba' WHEN 2 THEN 'coals' ELSE 'kolbo' END, 'model-' || (i % 3), 'seeded prompt', 1, '{EmptyJson}', 'Succeeded', 'sandbox',
                  '1.5', '1.5', CASE WHEN i % 4 = 2 THEN NULL ELSE '0.015' END, {start} + i * {span / Generations}, {start} + i * {span / Generations} + 1000, 1, 0
                FROM n
                """));
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "LedgerEntries" ("Id","WorkspaceId","GenerationId","ProviderId","UserId","KeyId","Kind","Credits","CostUsd","Images","CreatedAt")
                SELECT substr("Id", 1, 19) || '9' || substr("Id", 21), "WorkspaceId", "Id", "ProviderId", "CreatedById", NULL, 'Reservation', "EstimatedCredits", "CostUsd", 0, "CreatedAt" FROM "Generations"
                UNION ALL
                SELECT substr("Id", 1, 19) || 'A' || substr("Id", 21), "WorkspaceId", "Id", "ProviderId", "CreatedById", NULL, 'Settlement', "Credits", "CostUsd", 1, "CompletedAt" FROM "Generations"
                """);
        }
        else
        {
            var start = monthStart.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss");
            await db.Database.ExecuteSqlRawAsync(Sql($"""
                INSERT INTO "Generations" ("Id","WorkspaceId","CreatedById","ProviderId","Model","Prompt","NumImages","OptionsJson","Status","KeyLabel","EstimatedCredits","Credits","CostUsd","CreatedAt","CompletedAt","Attempts","CancelRequested")
                SELECT (lpad(to_hex(i), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, '{workspaceId}',
                  CASE WHEN i % 20 = 0 THEN '{adminId}'::uuid ELSE ('00000000-0000-4000-8000-' || lpad(to_hex(i % 20), 12, '0'))::uuid END,
                  CASE i % 4 WHEN 0 THEN 'koala' WHEN 1 THEN 'qolaba' WHEN 2 THEN 'coals' ELSE 'kolbo' END, 'model-' || (i % 3), 'seeded prompt', 1, '{EmptyJson}', 'Succeeded', 'sandbox',
                  1.5, 1.5, CASE WHEN i % 4 = 2 THEN NULL ELSE 0.015 END,
                  timestamptz '{start}+00' + (i::bigint * {span / Generations}) * interval '1 millisecond',
                  timestamptz '{start}+00' + (i::bigint * {span / Generations} + 1000) * interval '1 millisecond', 1, false
                FROM generate_series(0, {Generations - 1}) AS i
                """));
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "LedgerEntries" ("Id","WorkspaceId","GenerationId","ProviderId","UserId","KeyId","Kind","Credits","CostUsd","Images","CreatedAt")
                SELECT overlay("Id"::text placing '9' from 20 for 1)::uuid, "WorkspaceId", "Id", "ProviderId", "CreatedById", NULL::uuid, 'Reservation', "EstimatedCredits", "CostUsd", 0, "CreatedAt" FROM "Generations"
                UNION ALL
                SELECT overlay("Id"::text placing 'a' from 20 for 1)::uuid, "WorkspaceId", "Id", "ProviderId", "CreatedById", NULL::uuid, 'Settlement', "Credits", "CostUsd", 1, "CompletedAt" FROM "Generations"
                """);
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        }
        await SpendSeed.AfterSeedAsync(db);
    }

    /// <summary>The seeding SQL, built from the benchmark's own constants and ids (no outside input).</summary>
    private static string Sql(string text) => text;

    [Benchmark]
    public async Task Spend_api_this_month()
    {
        using var response = await host.Api.GetAsync("/api/v1/spend");
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET /api/v1/spend answered {(int)response.StatusCode}");
        await response.Content.ReadAsByteArrayAsync();
    }

    [Benchmark]
    public async Task Spend_page_query_this_month()
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentWorkspace>().Set(workspaceId, WorkspaceRole.Owner, userId: adminId);
        await SpendSeed.PageQueryAsync(scope.ServiceProvider);
    }

    [GlobalCleanup]
    public void Cleanup() => host.Dispose();
}

/// <summary>What differs between the ledger before and after the rollup: what runs after seeding (the rollup is built from the seeded ledger), and the page's query.</summary>
internal static class SpendSeed
{
    public static Task AfterSeedAsync(AppDbContext db) => SpendRollup.RebuildAsync(db, CancellationToken.None);

    public static Task PageQueryAsync(IServiceProvider services) => services.GetRequiredService<SpendQuery>().MonthAsync();
}
