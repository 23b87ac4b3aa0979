using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ImageHub.Web.Features.Keys;

public static class KeyVaultExtensions
{
    /// <summary>The key vault: protector, vault, resolver, and the client address the audit log records for circuits.</summary>
    public static IServiceCollection AddKeyVault(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<ProviderKeyProtector>();
        services.AddScoped<KeyVault>();
        services.AddScoped<KeyResolver>();
        services.AddScoped<CircuitClientAddress>();
        services.AddScoped<CircuitHandler, CircuitClientAddressHandler>();
        return services;
    }
}

/// <summary>The address a Blazor circuit's browser connected from (for the audit log), or null when unknown.</summary>
public sealed class CircuitClientAddress
{
    public string? Value { get; set; }
}

/// <summary>Remembers the remote address of the connection a circuit opens on (the hub request's HttpContext).</summary>
internal sealed class CircuitClientAddressHandler(IHttpContextAccessor accessor, CircuitClientAddress address) : CircuitHandler
{
    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext?.Connection.RemoteIpAddress is { } ip) address.Value = ip.ToString();
        return Task.CompletedTask;
    }
}
