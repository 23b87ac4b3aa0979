using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ImageHub.Sandbox;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Features.Spend;
using ImageHub.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Jobs;

/// <summary>
/// The app in sandbox mode (no provider delays), bootstrapped with an administrator, a workspace and an API
/// token, so tests drive it the way a script does: through the REST API with a bearer token.
/// </summary>
public sealed class JobsHost : IAsyncDisposable
{
    public const string AdminEmail = "admin@example.com";
    public const string Token = "ihp_test_token_for_the_rest_api_0001";
    /// <summary>The built-in sandbox key every provider is called with when nobody added a key.</summary>
    public const string SandboxKey = KeyResolver.SandboxSecret;

    public static readonly IReadOnlyList<string> Providers = ["koala", "qolaba", "coals", "kolbo"];

    private readonly SandboxServer? outside;

    private JobsHost(ImageHubApp app, WebApplicationFactory<Program> factory, SandboxServer? outside = null)
    {
        this.outside = outside;
        App = app;
        Factory = factory;
        Api = factory.CreateClient();
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public ImageHubApp App { get; }
    /// <summary>The running host (the app itself, or the app pointed at an outside sandbox).</summary>
    public WebApplicationFactory<Program> Factory { get; }
    public HttpClient Api { get; }
    public IServiceProvider Services => Factory.Services;

    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:KoalaReadyDelay"] = "00:00:00",
            ["Sandbox:QolabaTaskStepDelay"] = "00:00:00",
            ["Sandbox:KolboStepDelay"] = "00:00:00",
            ["Bootstrap:AdminEmail"] = AdminEmail,
            ["Bootstrap:AdminPassword"] = Arrange.Password,
            ["Bootstrap:Workspace"] = "Studio",
            ["Bootstrap:ApiToken"] = Token,
            ["Jobs:IdlePollInterval"] = "00:00:00.050",
            ["Jobs:MaxPollDelay"] = "00:00:00.050",
            ["Jobs:DefaultPollDelay"] = "00:00:00.020",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return settings;
    }

    public static JobsHost Start(DatabaseKind kind = DatabaseKind.Sqlite, IDictionary<string, string?>? extra = null)
    {
        var app = ImageHubApp.Create(kind, Settings(extra));
        return new JobsHost(app, app);
    }

    /// <summary>The app with its provider clients pointed at a sandbox outside it (which outlives the app: restarts).</summary>
    public static JobsHost Start(ImageHubApp app, SandboxServer outside) =>
        new(app, app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.PointAt(outside))), outside);

    /// <summary>The sandbox the app talks to (inside the app unless the test gave one).</summary>
    public SandboxState Sandbox => outside?.State ?? Services.GetRequiredService<SandboxMode>().Server.State;

    public SandboxAccount Account(string provider) => Sandbox.Account(provider, SandboxKey);

    public async Task<Guid> SubmitAsync(string provider, string prompt = "a lighthouse at dawn", int? numImages = null, object? options = null, string? model = null)
    {
        using var response = await Api.PostAsJsonAsync("/api/v1/generations", new { prompt, provider, model, numImages, options });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"POST {provider} answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetGuid();
    }

    public async Task<JsonElement> GetAsync(Guid id)
    {
        var body = await Api.GetStringAsync($"/api/v1/generations/{id}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Qolaba needs a model; the others have defaults.</summary>
    public static string? ModelFor(string provider) => provider == "qolaba" ? "vertex/imagen-4" : null;

    /// <summary>Polls the API until <paramref name="condition"/> holds for the generation.</summary>
    public async Task<JsonElement> WaitUntilAsync(Guid id, Func<JsonElement, bool> condition)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromMinutes(2)); // a hang guard, not an assertion on time
        JsonElement last = default;
        while (!giveUp.IsCancellationRequested)
        {
            last = await GetAsync(id);
            if (condition(last)) return last;
            await Task.Delay(10, CancellationToken.None);
        }
        Assert.Fail($"Generation {id} never got there; last seen: {last}");
        return last;
    }

    /// <summary>Polls the API until the generation reaches one of <paramref name="statuses"/> (default: any final state).</summary>
    public async Task<JsonElement> WaitForAsync(Guid id, params string[] statuses)
    {
        statuses = statuses.Length > 0 ? statuses : ["Succeeded", "Failed", "Canceled", "NeedsReview"];
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromMinutes(2)); // a hang guard, not an assertion on time
        JsonElement last = default;
        while (!giveUp.IsCancellationRequested)
        {
            last = await GetAsync(id);
            if (statuses.Contains(last.GetProperty("status").GetString())) return last;
            await Task.Delay(20, CancellationToken.None);
        }
        Assert.Fail($"Generation {id} never reached {string.Join("/", statuses)}; last seen: {last}");
        return last;
    }

    /// <summary>The ledger lines of one generation, as stored.</summary>
    public Task<List<LedgerEntry>> LedgerAsync(Guid generationId) => InDatabaseAsync(db =>
        db.Set<LedgerEntry>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).Where(e => e.GenerationId == generationId).ToListAsync());

    public async Task<T> InDatabaseAsync<T>(Func<AppDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (!ReferenceEquals(Factory, App)) await Factory.DisposeAsync();
        await App.DisposeAsync();
    }
}

public static class OutsideSandbox
{
    /// <summary>Points the four provider clients at <paramref name="sandbox"/> (after sandbox mode has pointed them at its own).</summary>
    public static IServiceCollection PointAt(this IServiceCollection services, SandboxServer sandbox) =>
        ImageHub.Providers.ProvidersServiceCollectionExtensions.ConfigureProviderBaseUrls(services,
            sandbox.BaseUrls.Koala, sandbox.BaseUrls.Qolaba, sandbox.BaseUrls.Coals, sandbox.BaseUrls.Kolbo);
}
