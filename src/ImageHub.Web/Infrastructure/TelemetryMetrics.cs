using System.Diagnostics;
using System.Diagnostics.Metrics;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Infrastructure;

/// <summary>
/// The hub's own instruments (meter and activity source "ImageHub"), exported by OpenTelemetry (<see cref="TelemetryExtensions"/>):
/// generations by provider and final status, submit-to-final latency, queue depth, provider errors by code, open circuits.
/// </summary>
public sealed class ImageHubMetrics
{
    public const string Name = "ImageHub";

    /// <summary>Spans of the hub's own work (a generation's run); HTTP in and out is traced by the OpenTelemetry instrumentation.</summary>
    public static readonly ActivitySource Activities = new(Name);

    private readonly Counter<long> generations;
    private readonly Histogram<double> latency;
    private readonly Counter<long> providerErrors;
    private readonly UpDownCounter<long> circuits;

    public ImageHubMetrics(IMeterFactory meters, IServiceScopeFactory scopes, ILogger<ImageHubMetrics> logger)
    {
        var meter = meters.Create(Name);
        generations = meter.CreateCounter<long>("imagehub.generations", "{generation}", "Generations that reached a final status, by provider and status.");
        latency = meter.CreateHistogram<double>("imagehub.generation.duration", "s", "From submission to the final status, by provider and status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] });
        providerErrors = meter.CreateCounter<long>("imagehub.provider.errors", "{error}", "Provider calls that failed, by provider and code (the HTTP status, or timeout/network).");
        circuits = meter.CreateUpDownCounter<long>("imagehub.circuits.open", "{circuit}", "Blazor circuits (open pages) on this instance.");
        meter.CreateObservableGauge("imagehub.queue.depth", () => QueueDepth(scopes, logger), "{generation}",
            "Generations waiting in the queue (Queued), in the whole database.");
    }

    public void GenerationFinished(string provider, GenerationStatus status, TimeSpan sinceSubmission)
    {
        var tags = new TagList { { "provider", provider }, { "status", StatusName(status) } };
        generations.Add(1, tags);
        latency.Record(Math.Max(0, sinceSubmission.TotalSeconds), tags);
    }

    public void ProviderError(string provider, string code) =>
        providerErrors.Add(1, new TagList { { "provider", provider }, { "code", code } });

    public void CircuitOpened() => circuits.Add(1);
    public void CircuitClosed() => circuits.Add(-1);

    /// <summary>snake_case, as the event stream names statuses (needs_review).</summary>
    public static string StatusName(GenerationStatus status) => status == GenerationStatus.NeedsReview ? "needs_review" : status.ToString().ToLowerInvariant();

    private static IEnumerable<Measurement<long>> QueueDepth(IServiceScopeFactory scopes, ILogger logger)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var queued = db.Set<Generation>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).Count(g => g.Status == GenerationStatus.Queued);
            return [new Measurement<long>(queued)];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug(e, "The queue depth could not be read.");
            return [];
        }
    }
}
