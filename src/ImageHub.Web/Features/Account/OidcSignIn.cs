using System.Security.Claims;
using System.Text.Json;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Account;

/// <summary>Who the identity provider says signed in: its issuer and subject (the link's key), the email and the role claim's values.</summary>
public sealed record ExternalIdentity(string Issuer, string Subject, string? Email, bool EmailVerified, IReadOnlySet<string> RoleValues)
{
    /// <summary>Reads the principal the OpenID Connect handler made (inbound claims not renamed); null without a subject.</summary>
    public static ExternalIdentity? From(ClaimsPrincipal principal, string roleClaim)
    {
        var subject = principal.FindFirst("sub");
        if (subject is null || string.IsNullOrEmpty(subject.Value)) return null;
        // The subject's claim carries the issuer the handler validated the ID token against.
        var issuer = subject.Issuer is { Length: > 0 } i && i != ClaimsIdentity.DefaultIssuer ? i : principal.FindFirst("iss")?.Value;
        if (string.IsNullOrEmpty(issuer)) return null;
        var email = principal.FindFirst("email")?.Value?.Trim();
        var verified = principal.FindAll("email_verified").Any(c => bool.TryParse(c.Value, out var v) && v);
        var roles = string.IsNullOrEmpty(roleClaim) ? [] : principal.FindAll(roleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new ExternalIdentity(issuer, subject.Value, string.IsNullOrEmpty(email) ? null : email, verified, roles);
    }
}

/// <summary>Why an OpenID Connect sign-in ended on the login page instead of in the app (the query's <c>error</c>).</summary>
public enum OidcProblem
{
    Denied, Failed, Unavailable, Disabled, LockedOut, NoAccount, RegistrationClosed, EmailNotVerified, NoEmail, NoPassword,
}

/// <summary>Where the callback sends the browser: into the app, to the login form to link an account, or to the login form with a problem.</summary>
public sealed record OidcSignInResult(string RedirectTo);

/// <summary>
/// An OpenID Connect sign-in, after the handler validated the answer (code flow with PKCE; state, nonce and issuer):
/// <list type="number">
/// <item>an account linked to this issuer and subject signs in (never one matched by email alone);</item>
/// <item>an account with the same verified email is linked only once its owner signs in with their password
/// (a short-lived protected cookie carries the pending link to the login form);</item>
/// <item>otherwise, with <c>Oidc:AutoProvision</c>, an account is created when the registration mode allows it
/// (<see cref="AccountService.WhyExternalRegistrationIsClosedAsync"/>).</item>
/// </list>
/// Disabled accounts are refused. The workspace mappings are applied before the cookie is issued. The provider owns the
/// second factor: the account's own authenticator app is not asked for (Identity's bypass, the session is marked with the
/// issuer as its authentication method).
/// </summary>
public sealed class OidcSignIn(
    UserManager<AppUser> userManager,
    AppSignInManager signInManager,
    AccountService accounts,
    OidcWorkspaceMappings mappings,
    IDataProtectionProvider dataProtection,
    IOptions<OidcOptions> options,
    TimeProvider time,
    ILogger<OidcSignIn> logger)
{
    public const string PendingLinkCookie = "ImageHub.OidcLink";
    private static readonly TimeSpan PendingLinkLifetime = TimeSpan.FromMinutes(10);

    private OidcOptions Settings => options.Value;

    /// <summary>A login form address showing <paramref name="problem"/>.</summary>
    public static string LoginWith(OidcProblem problem, string? returnUrl = null) =>
        $"/Account/Login?error={problem.ToString().ToLowerInvariant()}" + (string.IsNullOrEmpty(returnUrl) || returnUrl == "/" ? "" : $"&ReturnUrl={Uri.EscapeDataString(returnUrl)}");

    /// <summary>What the login form says for an <c>error</c> code in its address (null for an unknown code).</summary>
    public string? Message(string? code)
    {
        var name = Settings.DisplayName;
        return Enum.TryParse<OidcProblem>(code, ignoreCase: true, out var problem) && !int.TryParse(code, out _) ? problem switch
        {
            OidcProblem.Denied => $"The sign-in with {name} was cancelled or refused. Try again, or ask your administrator for access.",
            OidcProblem.Failed => $"The sign-in with {name} could not be completed: its answer had expired or was not valid. Try again.",
            OidcProblem.Unavailable => $"{name} could not be reached. Try again in a moment; if it keeps failing, tell your administrator.",
            OidcProblem.Disabled => LoginService.DisabledMessage,
            OidcProblem.LockedOut => "This account is locked after too many failed password attempts. Try again in 15 minutes.",
            OidcProblem.NoAccount => $"No ImageHub account is linked to your {name} account, and this ImageHub does not create accounts at sign-in. Ask an administrator.",
            OidcProblem.RegistrationClosed => $"No ImageHub account is linked to your {name} account, and this ImageHub takes no new accounts this way: open an invite link first, or ask an administrator.",
            OidcProblem.EmailNotVerified => $"An account with your email exists here, but {name} does not say the email is verified, so it cannot be linked. Verify it at {name}, or ask an administrator.",
            OidcProblem.NoEmail => $"{name} did not send an email address, which a new account needs. Ask your administrator to add the email scope.",
            OidcProblem.NoPassword => $"An account with your email exists here but signs in another way. Ask an administrator to link it.",
            _ => null,
        } : null;
    }

    /// <param name="idToken">The provider's ID token, kept in the session's cookie for signing out there too (<see cref="OidcSignOut"/>).</param>
    public async Task<OidcSignInResult> SignInAsync(HttpContext http, ClaimsPrincipal external, string? returnUrl, string? idToken = null)
    {
        returnUrl = LocalUrl.OrRoot(returnUrl);
        var identity = ExternalIdentity.From(external, Settings.RoleClaim);
        if (identity is null)
        {
            logger.LogWarning("An OpenID Connect sign-in carried no subject or issuer.");
            return new(LoginWith(OidcProblem.Failed, returnUrl));
        }

        var user = await userManager.FindByLoginAsync(identity.Issuer, identity.Subject);
        if (user is null)
        {
            var existing = identity.Email is null ? null : await userManager.FindByEmailAsync(identity.Email);
            if (existing is not null) return await OfferLinkAsync(http, identity, existing, returnUrl);
            var created = await ProvisionAsync(identity, returnUrl, http.RequestAborted);
            if (created.Problem is { } problem) return new(LoginWith(problem, returnUrl));
            user = created.User!;
        }

        if (user.DisabledAt is not null)
        {
            logger.LogInformation("OpenID Connect sign-in refused: account {UserId} is disabled.", user.Id);
            return new(LoginWith(OidcProblem.Disabled, returnUrl));
        }
        await mappings.ApplyAsync(user.Id, identity.RoleValues, http.RequestAborted);
        var result = await signInManager.ProviderSignInAsync(identity.Issuer, identity.Subject, idToken);
        if (result.Succeeded)
        {
            logger.LogInformation("Account {UserId} signed in with OpenID Connect.", user.Id);
            return new(returnUrl);
        }
        return new(LoginWith(result.IsLockedOut ? OidcProblem.LockedOut : result.IsNotAllowed ? OidcProblem.Disabled : OidcProblem.Failed, returnUrl));
    }

    private async Task<OidcSignInResult> OfferLinkAsync(HttpContext http, ExternalIdentity identity, AppUser existing, string returnUrl)
    {
        // Never linked on the email alone: its owner proves the account with the password first.
        if (!identity.EmailVerified) return new(LoginWith(OidcProblem.EmailNotVerified, returnUrl));
        if (existing.DisabledAt is not null) return new(LoginWith(OidcProblem.Disabled, returnUrl));
        if (!await userManager.HasPasswordAsync(existing)) return new(LoginWith(OidcProblem.NoPassword, returnUrl));
        var pending = new PendingLink(identity.Issuer, identity.Subject, existing.Id, time.GetUtcNow() + PendingLinkLifetime);
        http.Response.Cookies.Append(PendingLinkCookie, Protector().Protect(JsonSerializer.Serialize(pending)),
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps, IsEssential = true, MaxAge = PendingLinkLifetime, Path = "/Account" });
        logger.LogInformation("OpenID Connect sign-in matched account {UserId} by email: linking waits for its password.", existing.Id);
        return new($"/Account/Login?link=1" + (returnUrl == "/" ? "" : $"&ReturnUrl={Uri.EscapeDataString(returnUrl)}"));
    }

    private async Task<(AppUser? User, OidcProblem? Problem)> ProvisionAsync(ExternalIdentity identity, string returnUrl, CancellationToken cancellationToken)
    {
        if (!Settings.AutoProvision) return (null, OidcProblem.NoAccount);
        if (identity.Email is null) return (null, OidcProblem.NoEmail);
        var invite = returnUrl.StartsWith("/invite/", StringComparison.Ordinal) ? returnUrl["/invite/".Length..].Split('?')[0] : null;
        var vouched = await mappings.AnyAppliesAsync(identity.RoleValues, cancellationToken);
        var created = await accounts.RegisterExternalAsync(identity.Email, identity.EmailVerified, invite, vouched, cancellationToken);
        if (!created.Succeeded)
        {
            logger.LogInformation("OpenID Connect sign-in created no account: {Reason}", created.Message);
            return (null, created.Failure?.Kind == FailureKind.Forbidden ? OidcProblem.RegistrationClosed : OidcProblem.Failed);
        }
        var user = created.Value!;
        var linked = await userManager.AddLoginAsync(user, new UserLoginInfo(identity.Issuer, identity.Subject, Settings.DisplayName));
        if (!linked.Succeeded)
        {
            await userManager.DeleteAsync(user);
            return (null, OidcProblem.Failed);
        }
        logger.LogInformation("Account {UserId} created at its first OpenID Connect sign-in.", user.Id);
        return (user, null);
    }

    /// <summary>The link waiting for a password (null when none, expired or tampered with).</summary>
    public PendingLink? ReadPendingLink(HttpContext http)
    {
        if (!Settings.Enabled || http.Request.Cookies[PendingLinkCookie] is not { Length: > 0 } value) return null;
        try
        {
            var pending = JsonSerializer.Deserialize<PendingLink>(Protector().Unprotect(value));
            return pending is not null && pending.ExpiresAt > time.GetUtcNow() ? pending : null;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// After <paramref name="user"/> signed in with their password: links the pending provider login when it was offered to
    /// this very account, and forgets it either way. True when a link was made.
    /// </summary>
    public async Task<bool> CompletePendingLinkAsync(HttpContext http, AppUser user)
    {
        var pending = ReadPendingLink(http);
        if (pending is null) return false;
        http.Response.Cookies.Delete(PendingLinkCookie, new CookieOptions { Path = "/Account" });
        if (pending.UserId != user.Id) return false;
        var result = await userManager.AddLoginAsync(user, new UserLoginInfo(pending.Issuer, pending.Subject, Settings.DisplayName));
        if (!result.Succeeded)
        {
            logger.LogWarning("Linking account {UserId} to its OpenID Connect login failed: {Errors}", user.Id, string.Join(" ", result.Errors.Select(e => e.Code)));
            return false;
        }
        logger.LogInformation("Account {UserId} linked to its OpenID Connect login.", user.Id);
        return true;
    }

    private IDataProtector Protector() => dataProtection.CreateProtector("ImageHub.Account.OidcPendingLink");

    /// <summary>A provider login offered to <see cref="UserId"/>, linked once that account signs in with its password.</summary>
    public sealed record PendingLink(string Issuer, string Subject, Guid UserId, DateTimeOffset ExpiresAt);
}

/// <summary>
/// Applies <c>Oidc:WorkspaceMappings</c> at every OpenID Connect sign-in: each mapping whose claim value the account
/// carries gives it that role in that workspace (the highest, when several name one workspace). Memberships the
/// mappings made (<see cref="WorkspaceMember.FromIdentityProvider"/>) follow the claims: a mapping that no longer applies
/// removes its membership, a changed one changes its role, and open pages hear of it at once (<see cref="MembershipNotifier"/>).
/// Memberships made any other way (invites, creating a workspace) are left alone, and so is an Owner.
/// </summary>
public sealed class OidcWorkspaceMappings(
    IDbContextFactory<AppDbContext> dbFactory,
    CurrentWorkspace currentWorkspace,
    MembershipNotifier notifier,
    IOptions<OidcOptions> options,
    TimeProvider time,
    ILogger<OidcWorkspaceMappings> logger)
{
    public async Task<bool> AnyAppliesAsync(IReadOnlySet<string> claimValues, CancellationToken cancellationToken = default) =>
        (await DesiredAsync(claimValues, cancellationToken)).Count > 0;

    public async Task ApplyAsync(Guid userId, IReadOnlySet<string> claimValues, CancellationToken cancellationToken = default)
    {
        var desired = await DesiredAsync(claimValues, cancellationToken);
        var changed = new List<MembershipChange>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var existing = await db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
            .Where(m => m.UserId == userId).ToListAsync(cancellationToken);
        foreach (var member in existing.Where(m => m.FromIdentityProvider && m.Role != WorkspaceRole.Owner))
        {
            if (!desired.TryGetValue(member.WorkspaceId, out var role))
            {
                db.WorkspaceMembers.Remove(member);
                changed.Add(new(member.WorkspaceId, userId));
            }
            else if (member.Role != role)
            {
                member.Role = role;
                changed.Add(new(member.WorkspaceId, userId));
            }
        }
        await db.SaveChangesAsync(cancellationToken);

        var now = time.GetUtcNow();
        foreach (var (workspaceId, role) in desired.Where(d => existing.All(m => m.WorkspaceId != d.Key)))
        {
            using (currentWorkspace.Use(workspaceId, role))
            {
                db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspaceId, UserId = userId, Role = role, JoinedAt = now, FromIdentityProvider = true });
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        foreach (var change in changed)
        {
            await notifier.PublishAsync(change);
        }
        if (changed.Count > 0 || desired.Count > 0)
        {
            logger.LogInformation("Workspace mappings applied for {UserId}: {Mapped} mapped, {Changed} changed or removed.", userId, desired.Count, changed.Count);
        }
    }

    /// <summary>Workspace id → role, from the mappings whose claim value is among <paramref name="claimValues"/>.</summary>
    private async Task<Dictionary<Guid, WorkspaceRole>> DesiredAsync(IReadOnlySet<string> claimValues, CancellationToken cancellationToken)
    {
        var desired = new Dictionary<Guid, WorkspaceRole>();
        var applying = options.Value.WorkspaceMappings.Where(m => claimValues.Contains(m.ClaimValue)).ToList();
        if (applying.Count == 0) return desired;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspaces = db.Workspaces.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking();
        foreach (var mapping in applying)
        {
            var reference = mapping.Workspace.Trim();
            var ids = Guid.TryParse(reference, out var id)
                ? await workspaces.Where(w => w.Id == id).Select(w => w.Id).ToListAsync(cancellationToken)
                // A name is chosen by whoever creates the workspace: only workspaces an instance administrator created
                // answer to it, so nobody can catch a mapping's people by naming their own workspace "Design" first.
                : await workspaces.Where(w => w.Name == reference && db.Users.Any(u => u.Id == w.CreatedByUserId && u.IsInstanceAdmin))
                    .OrderBy(w => w.Id).Select(w => w.Id).Take(2).ToListAsync(cancellationToken);
            if (ids.Count != 1)
            {
                logger.LogWarning("Oidc:WorkspaceMappings names the workspace '{Workspace}', which {Problem}: the mapping for '{Value}' is skipped.",
                    reference, ids.Count == 0 ? "is not the id of a workspace, nor the name of one an instance administrator created" : "is the name of several workspaces (use its id)", mapping.ClaimValue);
                continue;
            }
            var role = mapping.ParsedRole;
            desired[ids[0]] = desired.TryGetValue(ids[0], out var other) && other > role ? other : role;
        }
        return desired;
    }
}
