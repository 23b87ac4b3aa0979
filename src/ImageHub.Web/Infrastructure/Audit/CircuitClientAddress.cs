using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ImageHub.Web.Infrastructure.Audit;

/// <summary>The address a Blazor circuit's browser connected from (for the audit trails), or null when unknown.</summary>
public sealed class CircuitClientAddress
{
    public string? Value { get; set; }

    /// <summary><paramref name="userId"/> acting from this circuit.</summary>
    public AuditActor Actor(Guid userId) => new(userId, Value);
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

public static class AuditServiceCollectionExtensions
{
    /// <summary>Where audited actions come from: the circuit's client address (HTTP endpoints read the request's).</summary>
    public static IServiceCollection AddAuditActors(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<CircuitClientAddress>();
        services.AddScoped<CircuitHandler, CircuitClientAddressHandler>();
        return services;
    }
}
