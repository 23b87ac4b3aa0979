extern alias web;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using web::ImageHub.Web.Features.Jobs;
using web::ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageHub.Benchmarks;

/// <summary>
/// The hub end to end: <c>POST /api/v1/generations</c> (bearer token, SQLite, in-memory TestServer) → queue row →
/// worker lease → Coals submission to the in-app sandbox on loopback (no added delay, a 1024×1024 PNG painted per
/// distinct prompt) → download, content-addressed store → ledger settlement → Succeeded (thumbnails are made when
/// first viewed, off this path). Each
/// operation is a batch of <see cref="BatchSize"/> generations kept <see cref="Concurrency"/> in flight, so
/// generations per second = BatchSize / mean. The per-generation latency from the POST to the Succeeded
/// notification (GenerationNotifier, no polling) is collected and printed as p50 / p99 at the end.
/// In process (one process, 2 cores shared by the client, the hub and the sandbox).
/// </summary>
[Config(typeof(Config))]
public class HubGenerationBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(10).WithId("Hub-InProcess"));
            AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        }
    }

    public const int BatchSize = 64;
    private const string Token = "ihp_benchmark_token_0000000000000001";

    private WebApplicationFactory<web::Program> app = null!;
    private HttpClient api = null!;
    private string root = "";
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> waiting = new();
    private readonly ConcurrentBag<double> latencies = [];
    private IDisposable? subscription;
    private int counter;

    [Params(1, 32)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        root = Path.Combine(Path.GetTempPath(), "imagehub-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Root"] = root,
            ["Database:Provider"] = "Sqlite",
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:KoalaReadyDelay"] = "00:00:00",
            ["Sandbox:QolabaTaskStepDelay"] = "00:00:00",
            ["Sandbox:KolboStepDelay"] = "00:00:00",
            ["Sandbox:DefaultBalance"] = "1000000000",
            ["Bootstrap:AdminEmail"] = "bench@example.com",
            ["Bootstrap:AdminPassword"] = "correct horse battery",
            ["Bootstrap:ApiToken"] = Token,
            ["Jobs:Concurrency:coals"] = Concurrency.ToString(),
            ["Jobs:IdlePollInterval"] = "00:00:00.050",
        };
        // The factory looks for the web project beside the solution; tell it where it really is.
        var webProject = Path.Combine(RepositoryRoot(), "src", "ImageHub.Web");
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_IMAGEHUB_WEB", webProject);
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_ImageHub_Web", webProject);
        app = new WebApplicationFactory<web::Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        api = app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using (var scope = app.Services.CreateScope())
        {
            var workspaces = scope.ServiceProvider.GetRequiredService<WorkspaceDirectory>();
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<web::ImageHub.Web.Features.Account.AppUser>>();
            var admin = users.FindByEmailAsync("bench@example.com").GetAwaiter().GetResult()!;
            var workspace = workspaces.ResolveAsync(admin.Id, null).GetAwaiter().GetResult()!;
            subscription = app.Services.GetRequiredService<GenerationNotifier>().Subscribe(workspace.WorkspaceId, change =>
            {
                if (change.Status.IsFinal() && waiting.TryRemove(change.GenerationId, out var done))
                {
                    if (change.Status == GenerationStatus.Succeeded) done.TrySetResult();
                    else done.TrySetException(new InvalidOperationException($"Generation ended {change.Status}"));
                }
                return Task.CompletedTask;
            });
        }
        RunBatchAsync(record: false).GetAwaiter().GetResult(); // warm the JIT, the pools and the sandbox
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ImageHub.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Run the benchmarks from inside the repository (ImageHub.sln not found above the build output).");
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public Task Submit_to_Succeeded() => RunBatchAsync(record: true);

    private async Task RunBatchAsync(bool record)
    {
        var remaining = BatchSize;
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var prompt = $"benchmark prompt {Interlocked.Increment(ref counter)}";
                var started = Stopwatch.GetTimestamp();
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using var response = await api.PostAsJsonAsync("/api/v1/generations", new { prompt, provider = "coals", options = new { width = 1024, height = 1024 } });
                if ((int)response.StatusCode != 202) throw new InvalidOperationException($"POST answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                waiting[id] = done;
                // The worker may have finished before the id was known here: look once.
                var status = (await api.GetFromJsonAsync<JsonElement>($"/api/v1/generations/{id}")).GetProperty("status").GetString();
                if (status == "Succeeded") waiting.TryRemove(id, out var _);
                else await done.Task;
                if (record) latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }).ToList();
        await Task.WhenAll(workers);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var sorted = latencies.OrderBy(l => l).ToArray();
        if (sorted.Length > 0)
        {
            double P(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
            Console.WriteLine($"// HUB FIGURES concurrency={Concurrency}: {sorted.Length} generations, submit→Succeeded p50 = {P(0.50):0.0} ms, p99 = {P(0.99):0.0} ms");
        }
        latencies.Clear();
        subscription?.Dispose();
        api.Dispose();
        app.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
