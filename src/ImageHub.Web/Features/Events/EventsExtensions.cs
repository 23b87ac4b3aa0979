using ImageHub.Web.Infrastructure.Changes;

namespace ImageHub.Web.Features.Events;

public static class EventsExtensions
{
    /// <summary>
    /// The change bus (in-process; between instances over PostgreSQL LISTEN/NOTIFY) and the event
    /// log behind <c>GET /api/v1/events</c> (<see cref="EventStreamApi.MapEventStream"/>) with its pruner.
    /// </summary>
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ChangeBus>();
        services.AddSingleton<PostgresChangeTransport>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresChangeTransport>());
        services.AddSingleton<EventLogPruner>();
        services.AddHostedService(sp => sp.GetRequiredService<EventLogPruner>());
        return services;
    }
}
