using ImageHub.Web.Features.Jobs;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Infrastructure;

/// <summary>Ready only when the storage folder takes a write (a full disk, a read-only or missing mount fail it).</summary>
internal sealed class StorageHealthCheck(IOptions<StorageOptions> storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = Path.Combine(storage.Value.FullRoot, $".ready-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"Storage:Root ({storage.Value.FullRoot}) cannot be written: {e.Message}");
        }
        finally
        {
            try { File.Delete(probe); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>Where the worker runs (Jobs:Enabled), ready only while it goes round its loop; a web-only instance has nothing to check.</summary>
internal sealed class WorkerHealthCheck(JobWorker worker, IOptions<JobsOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled) return Task.FromResult(HealthCheckResult.Healthy("Jobs:Enabled is false: no worker runs here."));
        if (worker.ExecuteTask is { IsCompleted: true }) return Task.FromResult(HealthCheckResult.Unhealthy("The job worker stopped."));
        var limit = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks, options.Value.IdlePollInterval.Ticks * 20));
        var since = worker.SinceLastTurn;
        return Task.FromResult(since <= limit
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"The job worker has not gone round its loop for {since.TotalSeconds:0} s (the database may hang)."));
    }
}
