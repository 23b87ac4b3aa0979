using ImageHub.Sandbox.Imaging;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ImageHub.Sandbox;

public static class SandboxServiceCollectionExtensions
{
    /// <summary>Registers the sandbox's state (a singleton), its options and its image cache. Map the endpoints with <see cref="SandboxEndpointRouteBuilderExtensions.MapImageHubSandbox"/>.</summary>
    public static IServiceCollection AddImageHubSandbox(this IServiceCollection services, Action<SandboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SandboxOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SandboxState>();
        services.TryAddSingleton<PngCache>();
        return services;
    }
}
