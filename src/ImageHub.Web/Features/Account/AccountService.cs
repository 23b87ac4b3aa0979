using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Account;

/// <summary>The form fields a refused registration's messages belong to (<see cref="Failure.Fields"/>).</summary>
public static class RegistrationFields
{
    public const string Email = "Email";
    public const string Password = "Password";
    public const string Form = "";
}

/// <summary>Who may register, and creating accounts (the first one becomes the instance administrator).</summary>
public sealed class AccountService(
    UserManager<AppUser> userManager,
    IDbContextFactory<AppDbContext> dbFactory,
    WorkspaceService workspaces,
    TimeProvider timeProvider,
    Microsoft.Extensions.Options.IOptions<OidcOptions> oidc,
    ILogger<AccountService> logger)
{
    public const string InviteOnlyMessage =
        "This ImageHub is invite-only. Ask a workspace admin for an invite link and open it to register.";

    public const string ClosedMessage =
        "This ImageHub takes no new accounts: its administrator has closed registration. Ask them if you need one.";

    public async Task<RegistrationMode> GetRegistrationModeAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.InstanceSettings.Where(s => s.Id == InstanceSettings.SingletonId)
            .Select(s => (RegistrationMode?)s.RegistrationMode).FirstOrDefaultAsync(cancellationToken) ?? RegistrationMode.InviteOnly;
    }

    public async Task SetRegistrationModeAsync(RegistrationMode mode, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var settings = await db.InstanceSettings.FirstOrDefaultAsync(s => s.Id == InstanceSettings.SingletonId, cancellationToken);
        if (settings is null)
        {
            db.InstanceSettings.Add(new InstanceSettings { RegistrationMode = mode });
        }
        else
        {
            settings.RegistrationMode = mode;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>True once the first account exists or is being made (its claim is taken).</summary>
    public async Task<bool> AnyAccountExistsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<FirstAccountClaim>().AnyAsync(cancellationToken) || await db.Users.AnyAsync(cancellationToken);
    }

    /// <summary>With <c>Oidc:DisableLocalLogin</c>: accounts come from the identity provider only.</summary>
    public string LocalRegistrationOffMessage => $"Accounts here are created by signing in with {oidc.Value.DisplayName}. Use that button on the log-in page.";

    /// <summary>Null when the visitor may register (with this invite, if any); otherwise the reason why not.</summary>
    public async Task<string?> WhyRegistrationIsClosedAsync(string? inviteToken, CancellationToken cancellationToken = default)
    {
        if (oidc.Value.LocalLoginDisabled) return LocalRegistrationOffMessage;
        return await WhyClosedAsync(inviteToken, vouchedByProvider: false, cancellationToken);
    }

    /// <summary>
    /// The registration mode applied to an account the identity provider would create (<c>Oidc:AutoProvision</c>):
    /// open lets anyone in; invite-only lets in whoever holds a valid invite link or whom a workspace mapping
    /// places (<paramref name="vouchedByProvider"/>); closed lets nobody new in. The first account is always allowed.
    /// </summary>
    public Task<string?> WhyExternalRegistrationIsClosedAsync(string? inviteToken, bool vouchedByProvider, CancellationToken cancellationToken = default) =>
        WhyClosedAsync(inviteToken, vouchedByProvider, cancellationToken);

    private async Task<string?> WhyClosedAsync(string? inviteToken, bool vouchedByProvider, CancellationToken cancellationToken)
    {
        if (!await AnyAccountExistsAsync(cancellationToken)) return null;
        var mode = await GetRegistrationModeAsync(cancellationToken);
        if (mode == RegistrationMode.Closed) return ClosedMessage;
        if (!string.IsNullOrEmpty(inviteToken))
        {
            var invite = await workspaces.LookupInviteAsync(inviteToken, cancellationToken);
            if (invite is null) return WorkspaceService.InvalidInviteMessage;
            if (invite.Problem is { } problem) return problem;
            return null;
        }
        return mode == RegistrationMode.Open || vouchedByProvider ? null : InviteOnlyMessage;
    }

    /// <summary>
    /// Creates an account (it does not sign in). On a fresh instance the first account becomes the instance
    /// administrator: <see cref="FirstAccountClaim"/> decides who is first, across processes. Whoever loses that race
    /// registers only if the instance would let them anyway (open registration, or <paramref name="inviteToken"/>).
    /// </summary>
    public async Task<Outcome<AppUser>> RegisterAsync(string email, string password, string? inviteToken = null, CancellationToken cancellationToken = default)
    {
        if (oidc.Value.LocalLoginDisabled) return Failure.Invalid(RegistrationFields.Form, LocalRegistrationOffMessage);
        var user = NewUser(email);
        var first = await TryClaimFirstAccountAsync(user.Id, cancellationToken);
        if (!first && await WhyRegistrationIsClosedAsync(inviteToken, cancellationToken) is { } closed)
        {
            return Failure.Invalid(RegistrationFields.Form, $"Someone else has just created this ImageHub's first account. {closed}");
        }
        user.IsInstanceAdmin = first;
        return await CreateAsync(user, password, first, cancellationToken);
    }

    /// <summary>
    /// Bootstrap: creates the administrator when the instance has no account yet. Null when another registration or
    /// another instance's bootstrap was first (then nothing is created).
    /// </summary>
    public async Task<Outcome<AppUser>?> RegisterFirstAdministratorAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        var user = NewUser(email);
        if (!await TryClaimFirstAccountAsync(user.Id, cancellationToken)) return null;
        user.IsInstanceAdmin = true;
        return await CreateAsync(user, password, claimed: true, cancellationToken);
    }

    /// <summary>
    /// Creates an account for someone the identity provider signed in (no password; the caller links the login).
    /// The first account of a fresh instance becomes the instance administrator, as with a password.
    /// </summary>
    public async Task<Outcome<AppUser>> RegisterExternalAsync(string email, bool emailVerified, string? inviteToken, bool vouchedByProvider, CancellationToken cancellationToken = default)
    {
        var user = NewUser(email);
        user.EmailConfirmed = emailVerified;
        var first = await TryClaimFirstAccountAsync(user.Id, cancellationToken);
        if (!first && await WhyExternalRegistrationIsClosedAsync(inviteToken, vouchedByProvider, cancellationToken) is { } closed)
        {
            return Failure.Forbidden(closed);
        }
        user.IsInstanceAdmin = first;
        return await CreateAsync(user, password: null, first, cancellationToken);
    }

    private AppUser NewUser(string email)
    {
        email = email.Trim();
        return new AppUser { UserName = email, Email = email, CreatedAt = timeProvider.GetUtcNow() };
    }

    private async Task<Outcome<AppUser>> CreateAsync(AppUser user, string? password, bool claimed, CancellationToken cancellationToken)
    {
        var result = password is null ? await userManager.CreateAsync(user) : await userManager.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            // A refused first account (a weak password, say) gives the claim back, so the next try can be first.
            if (claimed) await ReleaseFirstAccountClaimAsync(user.Id, cancellationToken);
            return Failure.Invalid(MapErrors(result.Errors));
        }

        logger.LogInformation("Account {UserId} created{Admin}.", user.Id, user.IsInstanceAdmin ? " as instance administrator" : "");
        return Outcome<AppUser>.Ok(user);
    }

    /// <summary>Inserts the one <see cref="FirstAccountClaim"/> row for <paramref name="userId"/>; false when the instance already has an account or a claim.</summary>
    private async Task<bool> TryClaimFirstAccountAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (await AnyAccountExistsAsync(cancellationToken)) return false;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Add(new FirstAccountClaim { UserId = userId, ClaimedAt = timeProvider.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return false; // the key is taken: someone else is first
        }
        // A user created between the check above and the insert (by a version that did not claim) still wins.
        if (await db.Users.AnyAsync(u => u.Id != userId, cancellationToken))
        {
            await ReleaseFirstAccountClaimAsync(userId, cancellationToken);
            return false;
        }
        return true;
    }

    private async Task ReleaseFirstAccountClaimAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Set<FirstAccountClaim>().Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    private static Dictionary<string, string[]> MapErrors(IEnumerable<IdentityError> errors)
    {
        var byField = new Dictionary<string, List<string>>();
        foreach (var error in errors)
        {
            var (field, message) = error.Code switch
            {
                nameof(IdentityErrorDescriber.DuplicateUserName) or nameof(IdentityErrorDescriber.DuplicateEmail) =>
                    (RegistrationFields.Email, "An account with this email already exists. Log in instead, or use another email."),
                nameof(IdentityErrorDescriber.InvalidEmail) or nameof(IdentityErrorDescriber.InvalidUserName) =>
                    (RegistrationFields.Email, "Enter a valid email address."),
                _ when error.Code.StartsWith("Password", StringComparison.Ordinal) => (RegistrationFields.Password, error.Description),
                _ => (RegistrationFields.Form, error.Description),
            };
            if (!byField.TryGetValue(field, out var list)) byField[field] = list = [];
            if (!list.Contains(message)) list.Add(message);
        }
        return byField.ToDictionary(p => p.Key, p => p.Value.ToArray());
    }

    public async Task SetThemeAsync(Guid userId, UiTheme theme, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.Theme, theme), cancellationToken);
    }

    public async Task<UiTheme> GetThemeAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.Where(u => u.Id == userId).Select(u => u.Theme).FirstOrDefaultAsync(cancellationToken);
    }
}
