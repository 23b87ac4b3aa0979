using ImageHub.Sandbox.Coals;
using ImageHub.Sandbox.Control;
using ImageHub.Sandbox.Imaging;
using ImageHub.Sandbox.Koala;
using ImageHub.Sandbox.Kolbo;
using ImageHub.Sandbox.Qolaba;

namespace ImageHub.Sandbox;

public static class SandboxEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps {prefix}/koala/..., {prefix}/qolaba/..., {prefix}/coals/..., {prefix}/kolbo/... and
    /// {prefix}/_control/.... The prefix is "" or a path such as "/sandbox".
    /// </summary>
    public static IEndpointRouteBuilder MapImageHubSandbox(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var normalized = Normalize(prefix);
        var state = endpoints.ServiceProvider.GetService<SandboxState>()
            ?? throw new InvalidOperationException("Call services.AddImageHubSandbox() before MapImageHubSandbox().");
        var pngs = endpoints.ServiceProvider.GetRequiredService<PngCache>();

        Infrastructure.ProviderApi[] apis =
        [
            new KoalaApi(state, pngs, normalized),
            new QolabaApi(state, pngs, normalized),
            new CoalsApi(state, pngs, normalized),
            new KolboApi(state, pngs, normalized),
        ];
        foreach (var api in apis)
        {
            api.Map(endpoints.MapGroup($"{normalized}/{api.Id}").AllowAnonymous().DisableAntiforgery());
        }

        ControlApi.Map(endpoints.MapGroup($"{normalized}/_control").AllowAnonymous().DisableAntiforgery(), state);
        return endpoints;
    }

    private static string Normalize(string? prefix)
    {
        var trimmed = (prefix ?? "").Trim().Trim('/');
        return trimmed.Length == 0 ? "" : "/" + trimmed;
    }
}
