extern alias web;

using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using web::ImageHub.Web.Data;
using web::ImageHub.Web.Features.Gallery;
using web::ImageHub.Web.Features.Jobs;
using web::ImageHub.Web.Features.Workspaces;

namespace ImageHub.Benchmarks;

/// <summary>
/// The gallery's two reads at scale: the first page (48 newest images) and a search by one prompt word, through
/// <see cref="GalleryQuery"/> (what the page and <c>GET /api/v1/images</c> run), on a workspace seeded with
/// <see cref="Images"/> images (one per generation, prompts of eight words from a 200-word vocabulary, so a word
/// matches about 4 % of them; newest-first matches come quickly). SQLite, and PostgreSQL when IMAGEHUB_TEST_POSTGRES
/// is set (a fresh database, dropped afterwards). Statistics are refreshed after seeding (ANALYZE), as autovacuum and
/// SQLite's optimize would do on a live database. In process.
/// `dotnet run -c Release --project tests/ImageHub.Benchmarks -- --filter '*Gallery*'`
/// </summary>
[Config(typeof(Config))]
public class GalleryBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15).WithId("Gallery-InProcess"));
            AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        }
    }

    public const int Images = 100_000;

    private static readonly string[] Vocabulary = BuildVocabulary();

    private BenchHost host = null!;
    private AsyncServiceScope scope;
    private GalleryQuery query = null!;
    private Guid userId;

    [Params("Sqlite", "Postgres")]
    public string Database { get; set; } = "Sqlite";

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        host = await BenchHost.StartAsync(Database, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        userId = host.AdminId;
        scope = host.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<CurrentWorkspace>().Set(host.WorkspaceId, WorkspaceRole.Owner, userId: userId);

        var clock = Stopwatch.StartNew();
        await SeedAsync(sp.GetRequiredService<IDbContextFactory<AppDbContext>>(), userId);
        Console.WriteLine($"// seeded {Images} images on {Database} in {clock.Elapsed.TotalSeconds:0} s");
        query = sp.GetRequiredService<GalleryQuery>();
    }

    private static async Task SeedAsync(IDbContextFactory<AppDbContext> contexts, Guid userId)
    {
        var random = new Random(42);
        var providers = new[] { "koala", "qolaba", "coals", "kolbo" };
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        const int batch = 5_000;
        for (var done = 0; done < Images; done += batch)
        {
            await using var db = await contexts.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = done; i < done + batch; i++)
            {
                var at = start.AddSeconds(i * 60);
                var prompt = string.Join(' ', Enumerable.Range(0, 8).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));
                var generation = new Generation { ProviderId = providers[i % 4], Prompt = prompt, CreatedById = userId, CreatedAt = at, Model = i % 3 == 0 ? "flux" : null };
                db.Add(generation);
                db.Add(new GeneratedImage
                {
                    GenerationId = generation.Id, Sha256 = i.ToString("x64"), ContentType = "image/png", Width = 1024, Height = 1024, Length = 1000, CreatedAt = at,
                });
            }
            await db.SaveChangesAsync();
        }
        await using var last = await contexts.CreateDbContextAsync();
        await last.Database.ExecuteSqlRawAsync("ANALYZE");
    }

    /// <summary>The gallery as it opens: the 48 newest images of the workspace.</summary>
    [Benchmark]
    public async Task<int> FirstPage() => (await query.PageAsync(GalleryFilter.None, null, userId)).Items.Count;

    /// <summary>A search for one prompt word, first page.</summary>
    [Benchmark]
    public async Task<int> SearchOneWord() => (await query.PageAsync(new GalleryFilter(Query: "lighthouse"), null, userId)).Items.Count;

    /// <summary>A search for two words that rarely meet (about 0.2 % of the images), first page.</summary>
    [Benchmark]
    public async Task<int> SearchTwoWords() => (await query.PageAsync(new GalleryFilter(Query: "lighthouse copper"), null, userId)).Items.Count;

    [GlobalCleanup]
    public void Cleanup()
    {
        scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
        host.Dispose();
    }

    private static string[] BuildVocabulary()
    {
        var words = new List<string> { "lighthouse", "copper" };
        var syllables = new[] { "ka", "lo", "mi", "ren", "sa", "tor", "vel", "qui", "zan", "dor", "pe", "lun", "gra", "fen" };
        var random = new Random(7);
        while (words.Count < 200)
        {
            var word = string.Concat(Enumerable.Range(0, 3).Select(_ => syllables[random.Next(syllables.Length)]));
            if (!words.Contains(word)) words.Add(word);
        }
        return [.. words];
    }
}
