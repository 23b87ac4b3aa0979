using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ImageHub.Sandbox;

/// <summary>
/// Everything the emulated providers remember: per-key accounts, queued faults, recorded requests and
/// the generations in flight. A singleton; every member is thread-safe.
/// </summary>
public sealed class SandboxState(IOptions<SandboxOptions> options, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<(string Provider, string Key), SandboxAccount> accounts = new();
    private readonly Lock requestsGate = new();
    private readonly Queue<RecordedRequest> requests = new();
    private readonly Lock faultsGate = new();
    private readonly Dictionary<(string Provider, string Key), List<PendingFault>> faults = new();

    internal SandboxOptions Options { get; } = options.Value;

    internal TimeProvider Time { get; } = timeProvider;

    internal ConcurrentDictionary<string, SandboxImage> Images { get; } = new(StringComparer.Ordinal);

    internal ConcurrentDictionary<string, QolabaTask> QolabaTasks { get; } = new(StringComparer.Ordinal);

    internal ConcurrentDictionary<string, KolboGeneration> KolboGenerations { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request to the four APIs, oldest first (bounded by <see cref="SandboxOptions.MaxRecordedRequests"/>).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (requestsGate) { return [.. requests]; } }
    }

    public void ClearRequests()
    {
        lock (requestsGate) { requests.Clear(); }
    }

    /// <summary>The account of <paramref name="apiKey"/> at <paramref name="provider"/>, created with the default balance on first use.</summary>
    public SandboxAccount Account(string provider, string apiKey)
    {
        var account = RawAccount(provider, apiKey);
        if (provider == SandboxProviders.Kolbo)
        {
            SettleKolbo(apiKey);
        }

        return account;
    }

    /// <summary>The account without settling anything first (what the emulated APIs use internally).</summary>
    internal SandboxAccount RawAccount(string provider, string apiKey)
    {
        EnsureProvider(provider);
        ArgumentNullException.ThrowIfNull(apiKey);
        return accounts.GetOrAdd((provider, apiKey), static (k, balance) => new SandboxAccount(k.Provider, balance), Options.DefaultBalance);
    }

    public void SetBalance(string provider, string apiKey, decimal credits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(credits);
        RawAccount(provider, apiKey).SetBalance(credits);
    }

    /// <summary>Queues a fault for that key's next matching request(s).</summary>
    public void EnqueueFault(string provider, string apiKey, SandboxFault fault)
    {
        EnsureProvider(provider);
        ArgumentNullException.ThrowIfNull(apiKey);
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Count, 1, nameof(fault));
        ArgumentOutOfRangeException.ThrowIfNegative(fault.RetryAfterSeconds, nameof(fault));
        lock (faultsGate)
        {
            if (!faults.TryGetValue((provider, apiKey), out var queue))
            {
                faults[(provider, apiKey)] = queue = [];
            }

            queue.Add(new PendingFault(fault) { Remaining = fault.Count });
        }
    }

    internal void Record(RecordedRequest request)
    {
        lock (requestsGate)
        {
            requests.Enqueue(request);
            while (requests.Count > Math.Max(1, Options.MaxRecordedRequests))
            {
                requests.Dequeue();
            }
        }
    }

    /// <summary>Takes the first queued fault of that key that applies to this request, counting it down.</summary>
    internal SandboxFault? TakeFault(string provider, string apiKey, string operation, string path, bool isSubmission)
    {
        lock (faultsGate)
        {
            if (!faults.TryGetValue((provider, apiKey), out var queue))
            {
                return null;
            }

            foreach (var pending in queue)
            {
                var fault = pending.Fault;
                if (fault.Kind == SandboxFaultKind.TaskFails && !isSubmission)
                {
                    continue;
                }

                if (fault.OnlyPath is { Length: > 0 } only
                    && !string.Equals(only, operation, StringComparison.OrdinalIgnoreCase)
                    && !path.Contains(only, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (--pending.Remaining <= 0)
                {
                    queue.Remove(pending);
                }

                return fault;
            }

            return null;
        }
    }

    /// <summary>Lets Kolbo generations whose time has come fail (and refund) even when nobody polls them.</summary>
    internal void SettleKolbo(string apiKey)
    {
        foreach (var generation in KolboGenerations.Values)
        {
            if (generation.Key == apiKey)
            {
                generation.Observe(this, countAsPoll: false);
            }
        }
    }

    internal static void EnsureProvider(string provider)
    {
        if (!SandboxProviders.IsKnown(provider))
        {
            throw new ArgumentException($"Unknown provider '{provider}'. Use one of: {string.Join(", ", SandboxProviders.All)}.", nameof(provider));
        }
    }

    private sealed class PendingFault(SandboxFault fault)
    {
        public SandboxFault Fault { get; } = fault;

        public int Remaining { get; set; }
    }
}
