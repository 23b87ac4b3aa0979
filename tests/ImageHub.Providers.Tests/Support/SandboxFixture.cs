using System.Text.Json;
using ImageHub.Providers;
using ImageHub.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Providers.Tests.Support;

/// <summary>
/// One running sandbox per test class. Koala images are ready at once; Qolaba tasks and Kolbo generations
/// advance one step per poll (the step time is an hour, so progress is driven by polls, never by the clock).
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxServer Sandbox { get; private set; } = null!;

    public ServiceProvider Services { get; private set; } = null!;

    public SandboxState State => Sandbox.State;

    public async ValueTask InitializeAsync()
    {
        Sandbox = await SandboxServer.StartAsync(o =>
        {
            o.KoalaReadyDelay = TimeSpan.Zero;
            o.QolabaTaskStepDelay = TimeSpan.FromHours(1);
            o.KolboStepDelay = TimeSpan.FromHours(1);
        });
        Services = ProviderServices.Build(Sandbox);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The requests the sandbox saw for one provider and key (keys are unique per test).</summary>
    public IReadOnlyList<RecordedRequest> RequestsOf(string provider, string key) =>
        State.Requests.Where(r => r.Provider == provider && r.Headers.Values.Any(v => v.Contains(key, StringComparison.Ordinal))).ToList();
}

public static class ProviderServices
{
    public static ServiceProvider Build(SandboxServer sandbox, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Providers:AllowPrivateNetworks"] = "true",
            ["Providers:Resilience:RetryBaseDelay"] = "00:00:00.010",
            // Long enough for a first call on a loaded 2-core machine; the Hang tests wait this long once.
            ["Providers:Resilience:SubmitTimeout"] = "00:00:05",
            ["Providers:Resilience:ReadTimeout"] = "00:00:05",
            ["Providers:Koala:BaseUrl"] = sandbox.BaseUrls.Koala.AbsoluteUri,
            ["Providers:Qolaba:BaseUrl"] = sandbox.BaseUrls.Qolaba.AbsoluteUri,
            ["Providers:Coals:BaseUrl"] = sandbox.BaseUrls.Coals.AbsoluteUri,
            ["Providers:Kolbo:BaseUrl"] = sandbox.BaseUrls.Kolbo.AbsoluteUri,
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddImageHubProviders(configuration).BuildServiceProvider();
    }
}

public static class TestData
{
    public static string NewKey(string prefix = "key") => $"{prefix}-{Guid.NewGuid():N}";

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static JsonElement Json(this RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement.Clone();

    public static IReadOnlyDictionary<string, JsonElement> Options(params (string Name, object? Value)[] values) =>
        GenerationRequest.OptionsFrom(values);

    /// <summary>Polls until a final state (each poll advances the sandbox one step); fails the test after 20 polls.</summary>
    public static async Task<(PollResult Final, List<PollResult> Seen)> PollToEndAsync(IImageProvider provider, ProviderHandle handle, ProviderCredential credential)
    {
        var seen = new List<PollResult>();
        for (var i = 0; i < 20; i++)
        {
            var result = await provider.PollAsync(handle, credential, Ct);
            seen.Add(result);
            if (result.State.IsFinal()) return (result, seen);
        }
        throw new Xunit.Sdk.XunitException($"{provider.Id} never reached a final state: {string.Join(", ", seen.Select(s => s.State))}");
    }
}
