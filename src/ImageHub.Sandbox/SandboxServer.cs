using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ImageHub.Sandbox;

/// <summary>The sandbox on its own Kestrel, on 127.0.0.1 and a free port. For tests and tools.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private SandboxServer(WebApplication app, Uri rootUri)
    {
        this.app = app;
        RootUri = rootUri;
        BaseUrls = SandboxBaseUrls.For(rootUri);
        State = app.Services.GetRequiredService<SandboxState>();
    }

    /// <summary>e.g. http://127.0.0.1:41234/</summary>
    public Uri RootUri { get; }

    public SandboxBaseUrls BaseUrls { get; }

    public SandboxState State { get; }

    public static async Task<SandboxServer> StartAsync(Action<SandboxOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxServer).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddImageHubSandbox(configure);

        var app = builder.Build();
        app.MapImageHubSandbox();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
