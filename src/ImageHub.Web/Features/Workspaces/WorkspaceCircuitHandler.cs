using ImageHub.Web.Features.Account;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ImageHub.Web.Features.Workspaces;

/// <summary>
/// Resolves <see cref="CurrentWorkspace"/> for a Blazor circuit, by the same rule as
/// <see cref="WorkspaceMiddleware"/> (the user's selection, verified against membership), before any
/// component of the circuit renders. Switching workspace reloads the page, which opens a new circuit.
/// </summary>
internal sealed class WorkspaceCircuitHandler(
    AuthenticationStateProvider authenticationStateProvider,
    CurrentWorkspace currentWorkspace,
    WorkspaceDirectory directory) : CircuitHandler
{
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
            currentWorkspace.Set(membership.WorkspaceId, membership.Role, membership.WorkspaceName);
        }
    }
}
