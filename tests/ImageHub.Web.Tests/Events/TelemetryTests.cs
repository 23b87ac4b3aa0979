using System.Net;
using ImageHub.Sandbox;
using ImageHub.Web.Tests.Jobs;

namespace ImageHub.Web.Tests.Events;

/// <summary>Issue 12 part 4: OpenTelemetry metrics served for Prometheus at /metrics when Telemetry:Prometheus is true.</summary>
public sealed class TelemetryTests
{
    private static readonly Dictionary<string, string?> PrometheusOn = new() { ["Telemetry:Prometheus"] = "true" };

    [Fact]
    public async Task Metrics_count_a_finished_sandbox_generation_by_provider_and_status_with_its_latency()
    {
        await using var host = JobsHost.Start(extra: PrometheusOn);
        var id = await host.SubmitAsync("koala");
        await host.WaitForAsync(id);

        var metrics = await ScrapeUntilAsync(host, text => text.Contains("imagehub_generations_total{", StringComparison.Ordinal));

        Assert.Contains(Lines(metrics, "imagehub_generations_total{"), l => l.Contains("provider=\"koala\"") && l.Contains("status=\"succeeded\""));
        Assert.Contains(Lines(metrics, "imagehub_generation_duration_seconds_count{"), l => l.Contains("provider=\"koala\""));
        Assert.NotEmpty(Lines(metrics, "imagehub_queue_depth"));
    }

    [Fact]
    public async Task Metrics_count_provider_errors_by_provider_and_code()
    {
        await using var host = JobsHost.Start(extra: PrometheusOn);
        host.Sandbox.EnqueueFault("kolbo", JobsHost.SandboxKey, new SandboxFault(SandboxFaultKind.ServerError, OnlyPath: "generate"));
        var id = await host.SubmitAsync("kolbo");
        await host.WaitForAsync(id);

        var metrics = await ScrapeUntilAsync(host, text => text.Contains("imagehub_provider_errors_total{", StringComparison.Ordinal));

        Assert.Contains(Lines(metrics, "imagehub_provider_errors_total{"), l => l.Contains("provider=\"kolbo\"") && l.Contains("code=\"500\""));
    }

    [Fact]
    public async Task Without_Telemetry_Prometheus_there_is_no_metrics_endpoint()
    {
        await using var host = JobsHost.Start();

        using var response = await host.Api.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static IEnumerable<string> Lines(string metrics, string prefix) =>
        metrics.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    /// <summary>The counter is written right after the commit the API reads, so a scrape may come a moment early: scrape until it shows.</summary>
    private static async Task<string> ScrapeUntilAsync(JobsHost host, Func<string, bool> shows)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromMinutes(1)); // a hang guard, not an assertion on time
        while (true)
        {
            using var response = await host.Api.GetAsync("/metrics", giveUp.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync(giveUp.Token);
            if (shows(text)) return text;
            await Task.Delay(350, giveUp.Token); // the exporter caches a scrape for 300 ms
        }
    }
}
