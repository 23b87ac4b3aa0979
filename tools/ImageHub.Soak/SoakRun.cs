using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ImageHub.Soak;

/// <summary>What happened to one POST /api/v1/generations the load sent.</summary>
public enum SubmitOutcome
{
    Accepted,
    Refused,
    NoAnswer,
}

/// <summary>One provider key the soak added through the API; the secret is its account at the sandbox.</summary>
public sealed record SoakKey(Guid Id, string Provider, string Label, string Secret);

/// <summary>
/// The load: generations on all four providers through the public API of either instance (whichever is up), faults
/// queued at the sandbox, keys changing mid-run (a workspace key, then a personal key per provider), and the SIGKILLs.
/// </summary>
public sealed class SoakRun(SoakOptions options, Cluster cluster)
{
    private static readonly string[] Providers = ["koala", "qolaba", "coals", "kolbo"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Stopwatch clock = new();
    private readonly ConcurrentDictionary<string, SubmitOutcome> submitted = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<SoakKey> keys = [];
    private readonly ConcurrentDictionary<string, SoakKey> paying = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> refusals = new(StringComparer.Ordinal);
    private int sequence;

    public IReadOnlyDictionary<string, SubmitOutcome> Submitted => submitted;

    public IReadOnlyCollection<SoakKey> Keys => keys;

    public IReadOnlyDictionary<string, int> Faults => faults;

    public IReadOnlyDictionary<string, int> Refusals => refusals;

    public static string Token(int n) => $"soak-{n:D6}";

    public HttpClient Api(int instance) => new()
    {
        BaseAddress = cluster.InstanceUrls[instance],
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", cluster.ApiToken) },
    };

    public void Log(string message) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {message}");

    public async Task RunAsync(CancellationToken ct)
    {
        clock.Start();
        foreach (var provider in Providers)
        {
            paying[provider] = await AddKeyAsync(provider, "workspace", ct);
        }

        Log($"keys: a workspace key per provider; personal keys (which then pay) join at half time");
        var duration = TimeSpan.FromMinutes(options.Minutes);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(duration);
        var load = LoadAsync(stop.Token);
        var faulting = FaultsAsync(stop.Token);
        var chaos = ChaosAsync(duration, stop.Token);
        var progress = ProgressAsync(stop.Token);
        await Task.WhenAll(load, faulting, chaos, progress);
        ct.ThrowIfCancellationRequested();
        Log($"load stopped: {submitted.Count} submitted");
    }

    private async Task LoadAsync(CancellationToken stop)
    {
        var interval = TimeSpan.FromSeconds(1 / options.Rate);
        using var timer = new PeriodicTimer(interval);
        var inFlight = new List<Task>();
        var halfway = TimeSpan.FromMinutes(options.Minutes / 2);
        var personalAdded = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (!personalAdded && clock.Elapsed >= halfway)
                {
                    personalAdded = true;
                    foreach (var provider in Providers)
                    {
                        paying[provider] = await AddKeyAsync(provider, "personal", stop);
                    }

                    Log("personal keys added: they pay from now on");
                }

                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(SubmitAsync(Interlocked.Increment(ref sequence)));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await Task.WhenAll(inFlight);
    }

    private async Task SubmitAsync(int n)
    {
        var token = Token(n);
        var provider = Pick(SoakOptions.Weights);
        var instance = PickInstance(n);
        var prompt = $"{token} {Words[Random.Shared.Next(Words.Length)]} {Words[Random.Shared.Next(Words.Length)]} in the rain";
        submitted[token] = SubmitOutcome.NoAnswer;
        try
        {
            using var http = Api(instance);
            // Qolaba has no default model (the composer makes a person pick one); the others run their defaults.
            var model = provider == "qolaba" ? "vertex/imagen-4-fast" : null;
            using var response = await http.PostAsJsonAsync("api/v1/generations", new { prompt, provider, model }, Json);
            if (response.IsSuccessStatusCode)
            {
                submitted[token] = SubmitOutcome.Accepted;
            }
            else
            {
                submitted[token] = SubmitOutcome.Refused;
                var body = await response.Content.ReadAsStringAsync();
                refusals.AddOrUpdate($"{(int)response.StatusCode} {Title(body)}", 1, (_, c) => c + 1);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // The instance died under the request (or was down): the generation may or may not exist; the database says.
        }
    }

    /// <summary>Alternates between the instances, using whichever is up.</summary>
    private int PickInstance(int n)
    {
        var preferred = n % 2;
        return cluster.IsUp(preferred) ? preferred : 1 - preferred;
    }

    private async Task FaultsAsync(CancellationToken stop)
    {
        using var control = new HttpClient { BaseAddress = cluster.SandboxRoot, Timeout = TimeSpan.FromSeconds(10) };
        using var timer = new PeriodicTimer(options.FaultEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var provider = Providers[Random.Shared.Next(Providers.Length)];
                var candidates = keys.Where(k => k.Provider == provider).ToList();
                // Mostly the key that pays now; sometimes an earlier one still polled for generations in flight.
                var key = Random.Shared.Next(4) == 0 ? candidates[Random.Shared.Next(candidates.Count)] : paying[provider];
                var fault = NextFault(provider);
                using var response = await control.PostAsJsonAsync("_control/faults", fault with { Key = key.Secret }, Json, stop);
                response.EnsureSuccessStatusCode();
                faults.AddOrUpdate($"{fault.Kind} on {fault.OnlyPath ?? "any request"}", 1, (_, c) => c + 1);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private sealed record FaultBody(string Provider, string Key, string Kind, string? OnlyPath, int RetryAfterSeconds = 1, int? DelayMs = null);

    private static FaultBody NextFault(string provider)
    {
        // The image URLs: an operation name such as "image" would also match Koala's and Kolbo's generation POST paths.
        var image = provider == "coals" ? ".webp" : ".png";
        string? Any(params string?[] paths) => paths[Random.Shared.Next(paths.Length)];
        return Random.Shared.Next(100) switch
        {
            < 20 => new FaultBody(provider, "", "RateLimited", Any("generate", "status", null), RetryAfterSeconds: Random.Shared.Next(1, 4)),
            < 40 => new FaultBody(provider, "", "ServerError", Any("generate", "status", image)),
            < 55 => new FaultBody(provider, "", "MalformedJson", Any("generate", "status")),
            < 70 => new FaultBody(provider, "", "DropAfterAccept", Any("generate", "status", image)),
            < 92 => new FaultBody(provider, "", "Slow", Any("generate", "status", image, null), DelayMs: Random.Shared.Next(500, 5000)),
            _ => new FaultBody(provider, "", "TaskFails", "generate"),
        };
    }

    /// <summary>Kills A (then B, ...) with SIGKILL at evenly spread moments, and starts it again after <see cref="SoakOptions.DownFor"/>.</summary>
    private async Task ChaosAsync(TimeSpan duration, CancellationToken stop)
    {
        try
        {
            for (var k = 0; k < options.Kills; k++)
            {
                var at = duration * (k + 1) / (options.Kills + 1);
                var wait = at - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop);
                }

                var index = k % 2;
                var name = Cluster.InstanceName(index);
                var pid = cluster.Pid(index);
                cluster.Kill(index);
                Log($"instance {name} (pid {pid}) killed with SIGKILL");
                await Task.Delay(options.DownFor, stop);
                await cluster.StartInstanceAsync(index, CancellationToken.None);
                Log($"instance {name} started again (pid {cluster.Pid(index)})");
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task ProgressAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMinutes(1), stop);
                Log($"{submitted.Count} submitted, {submitted.Values.Count(o => o == SubmitOutcome.Accepted)} accepted, {faults.Values.Sum()} faults queued, load average {LoadAverage()}");
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task<SoakKey> AddKeyAsync(string provider, string scope, CancellationToken ct)
    {
        var secret = $"soak-{scope}-{provider}-{Guid.NewGuid():N}";
        var label = $"Soak {scope} {provider}";
        for (var attempt = 1; ; attempt++)
        {
            var instance = PickInstance(attempt);
            try
            {
                using var http = Api(instance);
                using var response = await http.PostAsJsonAsync("api/v1/keys", new { provider, label, secret, scope }, Json, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"Adding the {scope} {provider} key was refused ({(int)response.StatusCode}): {body}");
                }

                var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
                var key = new SoakKey(id, provider, label, secret);
                keys.Add(key);
                return key;
            }
            catch (HttpRequestException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Pick(IReadOnlyDictionary<string, int> weights)
    {
        var roll = Random.Shared.Next(weights.Values.Sum());
        foreach (var (name, weight) in weights)
        {
            if ((roll -= weight) < 0)
            {
                return name;
            }
        }

        return weights.Keys.First();
    }

    private static string Title(string problem)
    {
        try
        {
            return JsonDocument.Parse(problem).RootElement.TryGetProperty("title", out var title) ? title.GetString() ?? "" : "";
        }
        catch (JsonException)
        {
            return problem.Length > 60 ? problem[..60] : problem;
        }
    }

    private static readonly string[] Words =
    [
        "fox", "harbour", "lighthouse", "owl", "teapot", "glacier", "tram", "orchard", "comet", "violin",
        "cactus", "bridge", "lantern", "otter", "market", "kite", "canyon", "robot", "meadow", "ferry",
    ];
}
