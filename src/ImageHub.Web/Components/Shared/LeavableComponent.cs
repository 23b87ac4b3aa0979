using Microsoft.AspNetCore.Components;

namespace ImageHub.Web.Components.Shared;

/// <summary>
/// A page or component that loads as it opens, and may be left before the load is done. Following a link only disposes
/// the component; closing or reloading the tab also ends the circuit and disposes its services under the load, which then
/// fails (ObjectDisposedException and the like) with nobody left to show it to. Such a failure, once the component is
/// disposed, is dropped here instead of being logged as an unhandled circuit error; a failure while it is still on screen
/// goes on as before. <see cref="Leaving"/> lets a load stop early (ComponentBase ignores a canceled initialisation).
/// </summary>
public abstract class LeavableComponent : ComponentBase, IDisposable
{
    // Never disposed: a load still running may read Leaving, and a source without a timer holds nothing to release.
    private readonly CancellationTokenSource leaving = new();

    /// <summary>Canceled when the component is disposed (another page, a closed tab).</summary>
    protected CancellationToken Leaving => leaving.Token;

    public override async Task SetParametersAsync(ParameterView parameters)
    {
        try
        {
            await base.SetParametersAsync(parameters);
        }
        catch (Exception) when (leaving.IsCancellationRequested)
        {
            // Left mid-load: see the summary.
        }
    }

    /// <summary>Unsubscribe here (instead of implementing IDisposable again).</summary>
    protected virtual void OnLeaving()
    {
    }

    public void Dispose()
    {
        if (leaving.IsCancellationRequested) return;
        leaving.Cancel();
        OnLeaving();
        GC.SuppressFinalize(this);
    }
}
