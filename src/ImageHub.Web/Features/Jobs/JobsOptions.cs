using System.ComponentModel.DataAnnotations;

namespace ImageHub.Web.Features.Jobs;

/// <summary><c>Jobs:*</c>: how the worker works the queue. Checked on start (<see cref="JobsExtensions.AddJobs"/>): a bad value stops it, naming the setting.</summary>
public sealed class JobsOptions : IValidatableObject
{
    public const string Section = "Jobs";

    /// <summary>Run the worker in this process (off for a web-only instance beside a worker instance).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Generations in flight per provider (<c>Jobs:Concurrency:kolbo</c>), default <see cref="DefaultConcurrency"/>.</summary>
    public Dictionary<string, int> Concurrency { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    [Range(1, 1000, ErrorMessage = "Jobs:DefaultConcurrency must be between {1} and {2}.")]
    public int DefaultConcurrency { get; set; } = 4;

    /// <summary>Submissions per minute per provider (<c>Jobs:SubmissionsPerMinute:kolbo</c>); absent = no limit.</summary>
    public Dictionary<string, int> SubmissionsPerMinute { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a worker owns a row before another may take it over (renewed while it works).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00", ErrorMessage = "Jobs:LeaseDuration must be between {1} and {2}.")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The lease of a row in Submitting (renewed while its POST is in flight). Short, so a row a stopped process left
    /// mid-send reaches review soon after, by the periodic sweep (<see cref="SweepInterval"/>), and not only at a start.
    /// </summary>
    public TimeSpan SubmittingLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the worker looks for rows left in Submitting whose lease ran out.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the worker looks for due work when nothing wakes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "Jobs:IdlePollInterval must be between {1} and {2}.")]
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The poll delay when the provider gives no hint, and the bounds of any hint.</summary>
    public TimeSpan DefaultPollDelay { get; set; } = TimeSpan.FromSeconds(1);
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Jobs:MinPollDelay must be between {1} and {2}.")]
    public TimeSpan MinPollDelay { get; set; } = TimeSpan.FromMilliseconds(20);
    public TimeSpan MaxPollDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Rate-limited submissions are retried (after Retry-After) at most this many times.</summary>
    [Range(1, 100, ErrorMessage = "Jobs:MaxSubmitAttempts must be between {1} and {2}.")]
    public int MaxSubmitAttempts { get; set; } = 5;

    /// <summary>Consecutive failed polls before a generation is handed to a person (NeedsReview).</summary>
    [Range(1, 1000, ErrorMessage = "Jobs:MaxPollFailures must be between {1} and {2}.")]
    public int MaxPollFailures { get; set; } = 8;

    /// <summary>The rules no attribute can say (run by ValidateDataAnnotations); each names the setting to change.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DefaultPollDelay < MinPollDelay || DefaultPollDelay > MaxPollDelay)
            yield return new ValidationResult($"Jobs:DefaultPollDelay ({DefaultPollDelay}) must lie between Jobs:MinPollDelay ({MinPollDelay}) and Jobs:MaxPollDelay ({MaxPollDelay}).", [nameof(DefaultPollDelay)]);
        foreach (var (provider, n) in Concurrency.Where(c => c.Value < 1))
            yield return new ValidationResult($"Jobs:Concurrency:{provider} is {n}; it must be at least 1.", [nameof(Concurrency)]);
        foreach (var (provider, n) in SubmissionsPerMinute.Where(c => c.Value < 1))
            yield return new ValidationResult($"Jobs:SubmissionsPerMinute:{provider} is {n}; it must be at least 1 (leave it out for no limit).", [nameof(SubmissionsPerMinute)]);
    }

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
