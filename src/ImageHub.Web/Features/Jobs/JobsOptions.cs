namespace ImageHub.Web.Features.Jobs;

/// <summary><c>Jobs:*</c>: how the worker works the queue.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Run the worker in this process (off for a web-only instance beside a worker instance).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Generations in flight per provider (<c>Jobs:Concurrency:kolbo</c>), default <see cref="DefaultConcurrency"/>.</summary>
    public Dictionary<string, int> Concurrency { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public int DefaultConcurrency { get; set; } = 4;

    /// <summary>Submissions per minute per provider (<c>Jobs:SubmissionsPerMinute:kolbo</c>); absent = no limit.</summary>
    public Dictionary<string, int> SubmissionsPerMinute { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a worker owns a row before another may take it over (renewed while it works).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The lease of a row in Submitting (renewed while its POST is in flight). Short, so a row a stopped process left
    /// mid-send reaches review soon after, by the periodic sweep (<see cref="SweepInterval"/>), and not only at a start.
    /// </summary>
    public TimeSpan SubmittingLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the worker looks for rows left in Submitting whose lease ran out.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the worker looks for due work when nothing wakes it.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The poll delay when the provider gives no hint, and the bounds of any hint.</summary>
    public TimeSpan DefaultPollDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MinPollDelay { get; set; } = TimeSpan.FromMilliseconds(20);
    public TimeSpan MaxPollDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Rate-limited submissions are retried (after Retry-After) at most this many times.</summary>
    public int MaxSubmitAttempts { get; set; } = 5;

    /// <summary>Consecutive failed polls before a generation is handed to a person (NeedsReview).</summary>
    public int MaxPollFailures { get; set; } = 8;

    public int ConcurrencyFor(string provider) =>
        Math.Max(1, Concurrency.TryGetValue(provider, out var n) ? n : DefaultConcurrency);
}

/// <summary>Wakes the worker when work is queued (it also looks every <see cref="JobsOptions.IdlePollInterval"/>).</summary>
public sealed class JobSignal
{
    private readonly SemaphoreSlim semaphore = new(0, 1);

    public void Wake()
    {
        try { if (semaphore.CurrentCount == 0) semaphore.Release(); }
        catch (SemaphoreFullException) { }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => semaphore.WaitAsync(timeout, ct);
}
