using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Account;

/// <summary>
/// Identity's user manager with its lockout on the app's <see cref="TimeProvider"/> (Identity itself reads the
/// system clock): an account locks after <see cref="LockoutOptions.MaxFailedAccessAttempts"/> failures for
/// <see cref="LockoutOptions.DefaultLockoutTimeSpan"/>, and unlocks when that much time has passed on the app's clock.
/// </summary>
public sealed class AppUserManager(
    IUserStore<AppUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<AppUser> passwordHasher,
    IEnumerable<IUserValidator<AppUser>> userValidators,
    IEnumerable<IPasswordValidator<AppUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<AppUser>> logger,
    TimeProvider time)
    : UserManager<AppUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    private IUserLockoutStore<AppUser> LockoutStore =>
        Store as IUserLockoutStore<AppUser> ?? throw new NotSupportedException("The user store does not support lockout.");

    public override async Task<bool> IsLockedOutAsync(AppUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!SupportsUserLockout || !await LockoutStore.GetLockoutEnabledAsync(user, CancellationToken)) return false;
        return await LockoutStore.GetLockoutEndDateAsync(user, CancellationToken) is { } end && end >= time.GetUtcNow();
    }

    /// <summary>A new authenticator key starts with no code used: the last accepted time step was the old key's.</summary>
    public override Task<IdentityResult> ResetAuthenticatorKeyAsync(AppUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        user.LastAuthenticatorTimeStep = null;
        return base.ResetAuthenticatorKeyAsync(user);
    }

    public override async Task<IdentityResult> AccessFailedAsync(AppUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var failures = await LockoutStore.IncrementAccessFailedCountAsync(user, CancellationToken);
        if (failures < Options.Lockout.MaxFailedAccessAttempts) return await UpdateUserAsync(user);
        Logger.LogInformation("Account {UserId} locked out after {Failures} failed sign-ins.", user.Id, failures);
        await LockoutStore.SetLockoutEndDateAsync(user, time.GetUtcNow().Add(Options.Lockout.DefaultLockoutTimeSpan), CancellationToken);
        await LockoutStore.ResetAccessFailedCountAsync(user, CancellationToken);
        return await UpdateUserAsync(user);
    }
}
