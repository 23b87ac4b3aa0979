using ImageHub.Providers;
using ImageHub.Providers.Coals;
using ImageHub.Providers.Koala;
using ImageHub.Providers.Kolbo;
using ImageHub.Providers.Qolaba;
using ImageHub.Sandbox;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Infrastructure;

/// <summary>
/// <c>Sandbox:*</c>. With <see cref="Enabled"/> the four provider APIs are emulated on loopback inside this
/// process (ImageHub.Sandbox) and every provider client talks to them: no network, any key works. Off by
/// default: then the configured (or live) provider URLs apply.
/// </summary>
public sealed class SandboxModeOptions
{
    public const string Section = "Sandbox";

    public bool Enabled { get; set; }
    public TimeSpan KoalaReadyDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan QolabaTaskStepDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan KolboStepDelay { get; set; } = TimeSpan.FromSeconds(1);
    public decimal DefaultBalance { get; set; } = 1000;

    /// <summary>Serve a picture painted once instead of painting each prompt (benchmarks: weigh the hub, not the painter).</summary>
    public bool PrePaintedImages { get; set; }
}

/// <summary>
/// Starts the sandbox beside the app (its own Kestrel on 127.0.0.1, a free port) when sandbox mode is on,
/// and hands its base URLs to the provider clients. Started as a hosted service, so it answers before the
/// app takes its first request.
/// </summary>
public sealed class SandboxMode(IOptions<SandboxModeOptions> options, ILogger<SandboxMode> logger) : IHostedService, IAsyncDisposable
{
    private SandboxServer? server;

    public bool Enabled => options.Value.Enabled;

    /// <summary>The running sandbox (its state: balances, counters, faults). Only when <see cref="Enabled"/>.</summary>
    public SandboxServer Server => server ?? throw new InvalidOperationException(
        Enabled ? "The sandbox has not started yet." : "Sandbox mode is off (Sandbox:Enabled=false).");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled || server is not null) return;
        var settings = options.Value;
        server = await SandboxServer.StartAsync(o =>
        {
            o.KoalaReadyDelay = settings.KoalaReadyDelay;
            o.QolabaTaskStepDelay = settings.QolabaTaskStepDelay;
            o.KolboStepDelay = settings.KolboStepDelay;
            o.DefaultBalance = settings.DefaultBalance;
            o.PrePaintedImages = settings.PrePaintedImages;
        }, cancellationToken);
        logger.LogInformation("Sandbox mode: KoalaImages, Qolaba, Coals and Kolbo are emulated at {Root}; no provider is called.", server.RootUri);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        server = null;
    }
}

public static class SandboxModeExtensions
{
    /// <summary>
    /// The provider clients, and sandbox mode over them. Settings are read when first resolved, so
    /// configuration supplied late (tests, hosts) applies.
    /// </summary>
    public static IServiceCollection AddProvidersWithSandboxMode(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddImageHubProviders(configuration);
        services.AddOptions<SandboxModeOptions>().BindConfiguration(SandboxModeOptions.Section);
        services.AddSingleton<SandboxMode>();
        services.AddHostedService(sp => sp.GetRequiredService<SandboxMode>());

        services.AddOptions<ProvidersOptions>().PostConfigure<SandboxMode>((o, sandbox) =>
        {
            if (sandbox.Enabled) o.AllowPrivateNetworks = true; // the sandbox's image URLs are on loopback
        });
        PointAtSandbox<KoalaOptions>(services, urls => urls.Koala);
        PointAtSandbox<QolabaOptions>(services, urls => urls.Qolaba);
        PointAtSandbox<CoalsOptions>(services, urls => urls.Coals);
        PointAtSandbox<KolboOptions>(services, urls => urls.Kolbo);
        return services;
    }

    private static void PointAtSandbox<TOptions>(IServiceCollection services, Func<SandboxBaseUrls, Uri> pick)
        where TOptions : ProviderEndpointOptions =>
        services.AddOptions<TOptions>().PostConfigure<SandboxMode>((o, sandbox) =>
        {
            if (sandbox.Enabled) o.BaseUrl = pick(sandbox.Server.BaseUrls);
        });
}
