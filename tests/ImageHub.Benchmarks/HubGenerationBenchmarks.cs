using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ImageHub.Benchmarks;

/// <summary>
/// The hub end to end: <c>POST /api/v1/generations</c> (bearer token, SQLite, in-memory TestServer) → queue row →
/// worker lease → Coals submission to the in-app sandbox on loopback (no added delay; a 1024×1024 PNG painted per
/// distinct prompt, or with <see cref="PrePainted"/> one picture painted once and stamped per prompt) → download,
/// content-addressed store → ledger settlement → Succeeded (thumbnails are made when first viewed, off this path).
/// Each operation is a batch of <see cref="BatchSize"/> generations kept <see cref="Concurrency"/> in flight, so
/// generations per second = BatchSize / mean. The per-generation latency from the POST to the Succeeded
/// notification is collected and printed as p50 / p99 at the end. In process (one process, 2 cores shared by the
/// client, the hub and the sandbox). The targets table (percentiles, throughput, memory per circuit) is the
/// <c>targets</c> command instead (TargetsCommand.cs).
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

    private BenchHost host = null!;
    private GenerationDriver driver = null!;
    private readonly ConcurrentBag<double> latencies = [];

    [Params(1, 32)]
    public int Concurrency { get; set; }

    [Params(false, true)]
    public bool PrePainted { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        host = BenchHost.StartAsync("Sqlite", GenerationDriver.Settings(Concurrency, PrePainted), Token).GetAwaiter().GetResult();
        driver = new GenerationDriver(host);
        driver.RunAsync(BatchSize, Concurrency).GetAwaiter().GetResult(); // warm the JIT, the pools and the sandbox
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public async Task Submit_to_Succeeded()
    {
        var (timings, _) = await driver.RunAsync(BatchSize, Concurrency);
        foreach (var timing in timings) latencies.Add(timing.TotalMs);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var sorted = latencies.OrderBy(l => l).ToArray();
        if (sorted.Length > 0)
        {
            Console.WriteLine($"// HUB FIGURES concurrency={Concurrency} prePainted={PrePainted}: {sorted.Length} generations, " +
                $"submit→Succeeded p50 = {Stats.Percentile(sorted, 0.50):0.0} ms, p99 = {Stats.Percentile(sorted, 0.99):0.0} ms");
        }
        latencies.Clear();
        driver.Dispose();
        host.Dispose();
    }
}

internal static class Stats
{
    /// <summary>The nearest-rank percentile of an ascending array.</summary>
    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
