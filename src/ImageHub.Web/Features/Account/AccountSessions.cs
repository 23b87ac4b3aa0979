using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Account;

/// <summary>What happened to an account that its open sessions must hear of at once.</summary>
public enum AccountChange
{
    /// <summary>Its sessions ended (disabled, deleted, two-factor reset): cookies issued before now stop working, open pages sign out.</summary>
    SessionsEnded,
    /// <summary>Its instance-administrator role changed: open pages check their authorization again.</summary>
    RoleChanged,
}

/// <summary>
/// Ends an account's sessions at once, in this process: cookies that carry an older security stamp than the one the
/// account got when its sessions ended are refused on their next request (<see cref="ValidatePrincipalAsync"/>) and
/// open circuits sign out (<see cref="AccountSessionCircuitHandler"/>). Other instances notice at Identity's next
/// security-stamp check (every minute): every ending also changes the account's security stamp.
/// </summary>
public sealed class AccountSessions(IOptions<IdentityOptions> identity, ILogger<AccountSessions> logger)
{
    /// <summary>The security stamp each account got when its sessions last ended ("" once deleted: nothing matches).</summary>
    private readonly ConcurrentDictionary<Guid, string> stampAfterEnding = new();
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, List<Func<AccountChange, Task>>> subscribers = [];

    /// <summary>Ends the sessions of <paramref name="userId"/>, whose security stamp is now <paramref name="newStamp"/> (null: the account is gone).</summary>
    public async Task EndSessionsAsync(Guid userId, string? newStamp)
    {
        stampAfterEnding[userId] = newStamp ?? "";
        await PublishAsync(userId, AccountChange.SessionsEnded);
    }

    public Task RoleChangedAsync(Guid userId) => PublishAsync(userId, AccountChange.RoleChanged);

    /// <summary>True when <paramref name="principal"/> was signed in before its account's sessions were ended.</summary>
    public bool IsEnded(ClaimsPrincipal principal) =>
        principal.GetUserId() is { } userId && stampAfterEnding.TryGetValue(userId, out var stamp)
        && principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType) != stamp;

    /// <summary>The cookie's OnValidatePrincipal: refuses ended sessions, then Identity's own security-stamp check.</summary>
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var sessions = context.HttpContext.RequestServices.GetRequiredService<AccountSessions>();
        if (context.Principal is { } principal && sessions.IsEnded(principal))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }

    public IDisposable Subscribe(Guid userId, Func<AccountChange, Task> handler)
    {
        lock (gate)
        {
            if (!subscribers.TryGetValue(userId, out var list)) subscribers[userId] = list = [];
            list.Add(handler);
        }
        return new Subscription(() =>
        {
            lock (gate)
            {
                if (subscribers.TryGetValue(userId, out var list) && list.Remove(handler) && list.Count == 0) subscribers.Remove(userId);
            }
        });
    }

    private async Task PublishAsync(Guid userId, AccountChange change)
    {
        Func<AccountChange, Task>[] handlers;
        lock (gate)
        {
            handlers = subscribers.TryGetValue(userId, out var list) ? [.. list] : [];
        }
        foreach (var handler in handlers)
        {
            try
            {
                await handler(change);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "A circuit did not take an account change ({Change}).", change);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? pending = dispose;
        public void Dispose() => Interlocked.Exchange(ref pending, null)?.Invoke();
    }
}

/// <summary>
/// Listens, while a circuit lives, for changes to its user's account: ended sessions sign the circuit out (the open
/// page gives way to the login redirect), a role change makes the open page check its authorization again.
/// </summary>
internal sealed class AccountSessionCircuitHandler(AuthenticationStateProvider authenticationStateProvider, AccountSessions sessions)
    : CircuitHandler, IDisposable
{
    private IDisposable? subscription;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var state = await authenticationStateProvider.GetAuthenticationStateAsync();
        if (state.User.GetUserId() is { } userId) subscription = sessions.Subscribe(userId, OnChangedAsync);
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    private async Task OnChangedAsync(AccountChange change)
    {
        if (authenticationStateProvider is not IHostEnvironmentAuthenticationStateProvider host) return;
        var user = change == AccountChange.SessionsEnded
            ? new ClaimsPrincipal(new ClaimsIdentity())
            : (await authenticationStateProvider.GetAuthenticationStateAsync()).User;
        host.SetAuthenticationState(Task.FromResult(new AuthenticationState(user)));
    }

    public void Dispose() => Interlocked.Exchange(ref subscription, null)?.Dispose();
}
