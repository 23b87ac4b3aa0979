using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using ImageHub.Web.Infrastructure.Changes;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Account;

/// <summary>What happened to an account that its open sessions must hear of at once.</summary>
public enum AccountChange
{
    /// <summary>Its sessions ended (disabled, deleted, two-factor reset): cookies issued before now stop working, open pages sign out.</summary>
    SessionsEnded,
    /// <summary>Its instance-administrator role changed: open pages check their authorization again.</summary>
    RoleChanged,
    /// <summary>One of its API tokens was revoked: open event streams check their token again (pages are not concerned).</summary>
    TokenRevoked,
}

/// <summary>An <see cref="AccountChange"/> as it travels between instances, with the security stamp the account got when its sessions ended.</summary>
public sealed record AccountSessionChange(Guid UserId, AccountChange Change, string? StampAfterEnding);

/// <summary>
/// Ends an account's sessions at once, on every instance: the change travels over the <see cref="ChangeBus"/> (PostgreSQL
/// LISTEN/NOTIFY between instances). Cookies that carry an older security stamp than the one the account got when its
/// sessions ended are refused on their next request (<see cref="ValidatePrincipalAsync"/>), open circuits sign out
/// (<see cref="AccountSessionCircuitHandler"/>) and event streams end. A change that never arrives (a dropped listener
/// connection) is still caught by Identity's security-stamp check (every minute): every ending also changes the stamp.
/// </summary>
public sealed class AccountSessions
{
    private readonly IOptions<IdentityOptions> identity;
    private readonly ChangeBus bus;
    private readonly Subscribers<Guid, AccountChange> subscribers;

    /// <summary>The security stamp each account got when its sessions last ended ("" once deleted: nothing matches).</summary>
    private readonly ConcurrentDictionary<Guid, string> stampAfterEnding = new();

    public AccountSessions(ChangeBus bus, IOptions<IdentityOptions> identity, ILogger<AccountSessions> logger)
    {
        this.identity = identity;
        this.bus = bus;
        subscribers = new(logger);
        bus.Subscribe<AccountSessionChange>(OnChangeAsync);
    }

    /// <summary>Ends the sessions of <paramref name="userId"/>, whose security stamp is now <paramref name="newStamp"/> (null: the account is gone).</summary>
    public Task EndSessionsAsync(Guid userId, string? newStamp) =>
        bus.PublishAsync(new AccountSessionChange(userId, AccountChange.SessionsEnded, newStamp ?? ""));

    public Task RoleChangedAsync(Guid userId) => bus.PublishAsync(new AccountSessionChange(userId, AccountChange.RoleChanged, null));

    public Task TokenRevokedAsync(Guid userId) => bus.PublishAsync(new AccountSessionChange(userId, AccountChange.TokenRevoked, null));

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

    /// <summary>Calls <paramref name="handler"/> for every change to <paramref name="userId"/>'s account, made on any instance, until disposed.</summary>
    public IDisposable Subscribe(Guid userId, Func<AccountChange, Task> handler) => subscribers.Subscribe(userId, handler);

    private Task OnChangeAsync(AccountSessionChange change)
    {
        // The stamp first: a page told of the ending may reload at once, and its request must already be refused.
        if (change.Change == AccountChange.SessionsEnded) stampAfterEnding[change.UserId] = change.StampAfterEnding ?? "";
        return subscribers.DeliverAsync(change.UserId, change.Change);
    }
}

/// <summary>
/// Builds <see cref="AccountSessions"/> as the app starts, so it hears other instances' account changes before this
/// instance's first request (built on first use, it would miss an ending made meanwhile until the stamp check).
/// </summary>
internal sealed class AccountSessionsAtStart(AccountSessions sessions) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(sessions);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
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
        if (change == AccountChange.TokenRevoked || authenticationStateProvider is not IHostEnvironmentAuthenticationStateProvider host) return;
        var user = change == AccountChange.SessionsEnded
            ? new ClaimsPrincipal(new ClaimsIdentity())
            : (await authenticationStateProvider.GetAuthenticationStateAsync()).User;
        host.SetAuthenticationState(Task.FromResult(new AuthenticationState(user)));
    }

    public void Dispose() => Interlocked.Exchange(ref subscription, null)?.Dispose();
}
