using ImageHub.Web.Data;
using ImageHub.Web.Features.Admin;
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
    ILogger<AccountService> logger)
{
    private static readonly SemaphoreSlim FirstAccountGate = new(1, 1);

    public const string InviteOnlyMessage =
        "This ImageHub is invite-only. Ask a workspace admin for an invite link and open it to register.";

    public async Task<RegistrationMode> GetRegistrationModeAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.InstanceSettings.Where(s => s.Id == Admin.InstanceSettings.SingletonId)
            .Select(s => (RegistrationMode?)s.RegistrationMode).FirstOrDefaultAsync(cancellationToken) ?? RegistrationMode.InviteOnly;
    }

    public async Task SetRegistrationModeAsync(RegistrationMode mode, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var settings = await db.InstanceSettings.FirstOrDefaultAsync(s => s.Id == Admin.InstanceSettings.SingletonId, cancellationToken);
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

    public async Task<bool> AnyAccountExistsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(cancellationToken);
    }

    /// <summary>Null when the visitor may register (with this invite, if any); otherwise the reason why not.</summary>
    public async Task<string?> WhyRegistrationIsClosedAsync(string? inviteToken, CancellationToken cancellationToken = default)
    {
        if (!await AnyAccountExistsAsync(cancellationToken)) return null;
        if (!string.IsNullOrEmpty(inviteToken))
        {
            var invite = await workspaces.LookupInviteAsync(inviteToken, cancellationToken);
            if (invite is null) return WorkspaceService.InvalidInviteMessage;
            if (invite.Problem is { } problem) return problem;
            return null;
        }
        return await GetRegistrationModeAsync(cancellationToken) == RegistrationMode.Open ? null : InviteOnlyMessage;
    }

    /// <summary>
    /// Creates an account. The first account of the instance becomes its administrator. Does not sign in.
    /// </summary>
    public async Task<Outcome<AppUser>> RegisterAsync(string email, string password, bool instanceAdmin = false)
    {
        email = email.Trim();
        AppUser user;
        IdentityResult result;
        // Two people registering at the very same moment on a fresh instance must not both become administrator
        // (within one process; several instances racing for the first account is left to the operator).
        await FirstAccountGate.WaitAsync();
        try
        {
            var isFirst = !await AnyAccountExistsAsync();
            user = new AppUser
            {
                UserName = email,
                Email = email,
                IsInstanceAdmin = instanceAdmin || isFirst,
                CreatedAt = timeProvider.GetUtcNow(),
            };
            result = await userManager.CreateAsync(user, password);
        }
        finally
        {
            FirstAccountGate.Release();
        }

        if (!result.Succeeded)
        {
            return Failure.Invalid(MapErrors(result.Errors));
        }

        logger.LogInformation("Account {UserId} created{Admin}.", user.Id, user.IsInstanceAdmin ? " as instance administrator" : "");
        return Outcome<AppUser>.Ok(user);
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
