using ImageHub.Web.Features.Account;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ImageHub.Web.Features.Workspaces;

/// <summary>
/// Resolves <see cref="CurrentWorkspace"/> for a Blazor circuit, by the same rule as
/// <see cref="WorkspaceMiddleware"/> (the user's selection, verified against membership), before any
/// component of the circuit renders. Switching workspace reloads the page, which opens a new circuit.
/// While the circuit lives it listens for changes to the user's membership (<see cref="MembershipNotifier"/>):
/// a removal or a role change re-reads the role at once and re-runs the open page's authorization.
/// </summary>
internal sealed class WorkspaceCircuitHandler(
    AuthenticationStateProvider authenticationStateProvider,
    CurrentWorkspace currentWorkspace,
    WorkspaceDirectory directory,
    WorkspaceAccess access,
    MembershipNotifier notifier) : CircuitHandler, IDisposable
{
    private IDisposable? subscription;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var state = await authenticationStateProvider.GetAuthenticationStateAsync();
        if (state.User.GetUserId() is not { } userId)
        {
            currentWorkspace.Clear();
            return;
        }

        var membership = await directory.ResolveAsync(userId, requested: null, cancellationToken);
        if (membership is null)
        {
            currentWorkspace.Clear();
        }
        else
        {
            currentWorkspace.Set(membership.WorkspaceId, membership.Role, membership.WorkspaceName, userId);
        }
        subscription = notifier.Subscribe(userId, OnMembershipChangedAsync);
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    private async Task OnMembershipChangedAsync(MembershipChange change)
    {
        if (change.WorkspaceId != currentWorkspace.Id) return;
        await access.RefreshAsync();
        // A new authentication state (same user) makes AuthorizeRouteView check the open page's policy again.
        if (authenticationStateProvider is IHostEnvironmentAuthenticationStateProvider host)
        {
            var state = await authenticationStateProvider.GetAuthenticationStateAsync();
            host.SetAuthenticationState(Task.FromResult(new AuthenticationState(state.User)));
        }
    }

    public void Dispose() => Interlocked.Exchange(ref subscription, null)?.Dispose();
}
