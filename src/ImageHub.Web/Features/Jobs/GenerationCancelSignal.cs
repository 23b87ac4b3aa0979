using System.Collections.Concurrent;
using ImageHub.Web.Infrastructure.Changes;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Tells the runner that follows a generation, on whichever instance it runs, that a person asked to cancel it: the
/// runner then sends the provider's cancel at once instead of at its next poll (which may be seconds away: Kolbo's
/// poll_interval_hint). The request travels on the <see cref="ChangeBus"/> (NOTIFY between instances); the flag on the
/// row (<see cref="Generation.CancelRequested"/>) stays the truth for a runner that starts later.
/// </summary>
public sealed class GenerationCancelSignal
{
    private readonly ChangeBus bus;
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> watched = new();

    public GenerationCancelSignal(ChangeBus bus)
    {
        this.bus = bus;
        bus.Subscribe<GenerationCancelRequested>(request =>
        {
            if (watched.TryGetValue(request.GenerationId, out var requested)) requested.Cancel();
            return Task.CompletedTask;
        });
    }

    /// <summary>Asks the runner of <paramref name="generationId"/> (here or on another instance) to cancel it now.</summary>
    public Task RequestAsync(Guid generationId) => bus.PublishAsync(new GenerationCancelRequested(generationId));

    /// <summary>While the returned watch lives, its token is canceled as soon as a cancel of <paramref name="generationId"/> is requested.</summary>
    public Watch Follow(Guid generationId)
    {
        var requested = new CancellationTokenSource();
        watched[generationId] = requested;
        return new Watch(requested, () => watched.TryRemove(new KeyValuePair<Guid, CancellationTokenSource>(generationId, requested)));
    }

    public sealed class Watch(CancellationTokenSource requested, Action stop) : IDisposable
    {
        public CancellationToken Requested => requested.Token;

        public void Dispose()
        {
            stop();
            requested.Dispose();
        }
    }
}

/// <summary>A cancel of <paramref name="GenerationId"/> was asked for: what travels on the <see cref="ChangeBus"/>.</summary>
public sealed record GenerationCancelRequested(Guid GenerationId);
