using ImageHub.Web.Infrastructure.Changes;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Pushes generation changes to every open circuit of a workspace (eShop's OrderStatusNotificationService), on every
/// instance: changes travel over the <see cref="ChangeBus"/> (PostgreSQL LISTEN/NOTIFY between instances).
/// Components subscribe on first render, marshal with InvokeAsync, and dispose the subscription.
/// </summary>
public sealed class GenerationNotifier
{
    private readonly ChangeBus bus;
    private readonly Subscribers<Guid, GenerationChanged> subscribers;

    public GenerationNotifier(ChangeBus bus, ILogger<GenerationNotifier> logger)
    {
        this.bus = bus;
        subscribers = new(logger);
        bus.Subscribe<GenerationChangeMessage>(m => subscribers.DeliverAsync(m.WorkspaceId, m.Change));
    }

    public IDisposable Subscribe(Guid workspaceId, Func<GenerationChanged, Task> onChange) => subscribers.Subscribe(workspaceId, onChange);

    /// <summary>Tells every subscriber of <paramref name="workspaceId"/>, here (returns once they took it) and on the other instances.</summary>
    public Task PublishAsync(Guid workspaceId, GenerationChanged change) => bus.PublishAsync(new GenerationChangeMessage(workspaceId, change));
}

/// <summary>A generation of <paramref name="WorkspaceId"/> changed: what travels on the <see cref="ChangeBus"/>.</summary>
public sealed record GenerationChangeMessage(Guid WorkspaceId, GenerationChanged Change);
