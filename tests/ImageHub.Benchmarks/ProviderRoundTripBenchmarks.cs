using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ImageHub.Providers;
using ImageHub.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Benchmarks;

/// <summary>
/// One submit-and-complete per provider against the sandbox on loopback with no added delay: Koala (one POST,
/// URLs are the result), Qolaba (one synchronous POST), Coals (one POST), Kolbo (POST, then one poll that
/// completes). <c>Client</c> goes through the provider client (validation, mapping, Refit, the resilience handler, JSON,
/// error mapping); <c>RawHttp</c> sends the same requests with a bare HttpClient, so the ratio is the
/// client's overhead. The sandbox runs in the same process: times and allocations include its side of
/// the loopback. Each iteration is one operation (Monitoring), so the percentiles are per operation.
/// </summary>
[Config(typeof(Config))]
public class ProviderRoundTripBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(30).WithIterationCount(300).WithId("Monitoring-300")
                // In process: the generated-project build does not finish within BenchmarkDotNet's 2-minute limit on the shared machine.
                .WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance));
            AddDiagnoser(MemoryDiagnoser.Default);
            AddColumn(StatisticColumn.Median, StatisticColumn.P95, new P99Column());
            HideColumns(Column.Error, Column.StdDev);
        }
    }

    private SandboxServer _sandbox = null!;
    private ServiceProvider _services = null!;
    private IImageProvider _provider = null!;
    private ProviderCredential _credential = null!;
    private HttpClient _raw = null!;
    private readonly string _key = "bench-" + Guid.NewGuid().ToString("N");

    [Params("koala", "qolaba", "coals", "kolbo")]
    public string Provider { get; set; } = "koala";

    [GlobalSetup]
    public void Setup()
    {
        _sandbox = SandboxServer.StartAsync(o =>
        {
            o.KoalaReadyDelay = TimeSpan.Zero;
            o.QolabaTaskStepDelay = TimeSpan.Zero;
            o.KolboStepDelay = TimeSpan.Zero;
            o.DefaultBalance = 1_000_000_000m;
            o.MaxRecordedRequests = 1_000;
        }).GetAwaiter().GetResult();
        var urls = _sandbox.BaseUrls;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:AllowPrivateNetworks"] = "true",
            // One key sends hundreds of generations here: Kolbo's per-key limit of 10 a minute would measure the limiter.
            ["Providers:Kolbo:GenerationsPerMinute"] = "0",
        }).Build();
        _services = new ServiceCollection().AddImageHubProviders(configuration)
            .ConfigureProviderBaseUrls(urls.Koala, urls.Qolaba, urls.Coals, urls.Kolbo).BuildServiceProvider();
        _provider = _services.GetRequiredService<IProviderRegistry>().Get(Provider);
        _credential = new ProviderCredential(_key);
        _raw = new HttpClient();
        // Warm the model caches so every operation measures the generation itself.
        _provider.GetCapabilitiesAsync(_credential).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _services.Dispose();
        _sandbox.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private GenerationRequest Request => Provider switch
    {
        "koala" => new GenerationRequest("a red fox in snow", "standard", 1, GenerationRequest.OptionsFrom(("style", "photo"), ("size", "1024x1024"))),
        "qolaba" => new GenerationRequest("a red fox in snow", "vertex/imagen-4-fast", 1, GenerationRequest.OptionsFrom(("aspect_ratio", "1:1"))),
        "coals" => new GenerationRequest("a red fox in snow", null, 1, GenerationRequest.OptionsFrom(("width", 1024), ("height", 1024))),
        _ => new GenerationRequest("a red fox in snow", "nano-banana-2", 1, GenerationRequest.OptionsFrom(("aspect_ratio", "1:1"))),
    };

    [Benchmark(Description = "Client")]
    public async Task<int> Client()
    {
        var submitted = await _provider.SubmitAsync(Request, _credential);
        if (submitted.State.IsFinal()) return submitted.Images.Count;
        var polled = await _provider.PollAsync(submitted.Handle, _credential);
        return polled.State == GenerationState.Succeeded ? polled.Images.Count : throw new InvalidOperationException(polled.State.ToString());
    }

    [Benchmark(Baseline = true, Description = "RawHttp")]
    public async Task<int> RawHttp()
    {
        var urls = _sandbox.BaseUrls;
        switch (Provider)
        {
            case "koala":
                return (await PostAsync(new Uri(urls.Koala, "api/image-generation/"), """{"prompt":"a red fox in snow","style":"photo","size":"1024x1024","numImages":1,"model":"standard"}""", bearer: true)).Length;
            case "qolaba":
                return (await PostAsync(new Uri(urls.Qolaba, "api/v1/images/generate"), """{"model":"vertex/imagen-4-fast","prompt":"a red fox in snow","aspect_ratio":"1:1","num_images":1}""", bearer: false)).Length;
            case "coals":
                return (await PostAsync(new Uri(urls.Coals, "generate"), """{"prompt":"a red fox in snow","width":1024,"height":1024,"num_images":1}""", bearer: true)).Length;
            default:
            {
                var started = await PostAsync(new Uri(urls.Kolbo, "v1/generate/image"), """{"prompt":"a red fox in snow","model":"nano-banana-2","aspect_ratio":"1:1","num_images":1}""", bearer: false);
                using var doc = JsonDocument.Parse(started);
                var pollUrl = doc.RootElement.GetProperty("poll_url").GetString()!;
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(urls.Kolbo.AbsoluteUri.TrimEnd('/') + pollUrl));
                request.Headers.Add("X-API-Key", _key);
                using var response = await _raw.SendAsync(request);
                return (await response.Content.ReadAsStringAsync()).Length;
            }
        }
    }

    private async Task<string> PostAsync(Uri uri, string json, bool bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (bearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        else request.Headers.Add("X-API-Key", _key);
        using var response = await _raw.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The 99th percentile of the per-operation times.</summary>
    private sealed class P99Column : IColumn
    {
        public string Id => "P99";
        public string ColumnName => "P99 [us]";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Statistics;
        public int PriorityInCategory => 10;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "99th percentile of the per-operation times, in microseconds";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            if (statistics is null) return "NA";
            return (statistics.Percentiles.Percentile(99) / 1000).ToString("N1", style.CultureInfo);
        }
    }
}
