using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;

namespace ImageHub.Web.Features.Account;

public enum LoginOutcome { Succeeded, WrongEmailOrPassword, LockedOut, Disabled, RequiresTwoFactor, LocalLoginDisabled }

/// <summary>
/// Password sign-in that does not tell which accounts exist: an unknown email fails and locks out after the same
/// number of attempts, with the same messages, as an account does (Identity's lockout only counts real accounts).
/// </summary>
public sealed class LoginService(
    SignInManager<AppUser> signInManager, UserManager<AppUser> userManager, UnknownLoginAttempts unknown, Microsoft.Extensions.Options.IOptions<OidcOptions> oidc)
{
    public string LockedOutMessage
    {
        get
        {
            var lockout = userManager.Options.Lockout;
            return $"This account is locked after {lockout.MaxFailedAccessAttempts} failed attempts. Try again in {lockout.DefaultLockoutTimeSpan.TotalMinutes:0} minutes.";
        }
    }

    public const string WrongEmailOrPasswordMessage = "Wrong email or password. Check both and try again.";

    public const string DisabledMessage = "This account is disabled. Ask an administrator of this ImageHub to enable it again.";

    public string LocalLoginDisabledMessage => $"Password sign-in is turned off on this ImageHub. Use “Sign in with {oidc.Value.DisplayName}”.";

    /// <summary>
    /// Checks the password and signs in. With <c>Oidc:DisableLocalLogin</c> only <paramref name="linkingUserId"/> (the
    /// account an OpenID Connect sign-in is waiting to link, <see cref="OidcSignIn.PendingLink"/>) may use its password.
    /// </summary>
    public async Task<LoginOutcome> PasswordSignInAsync(string email, string password, bool remember, Guid? linkingUserId = null)
    {
        email = email.Trim();
        var user = await userManager.FindByNameAsync(email);
        if (oidc.Value.LocalLoginDisabled && (user is null || user.Id != linkingUserId))
        {
            return LoginOutcome.LocalLoginDisabled;
        }
        if (user is null)
        {
            // The same work as checking a real password, and the same count towards a lockout.
            userManager.PasswordHasher.VerifyHashedPassword(new AppUser(), DummyHash.Value, password);
            return unknown.Fail(email, userManager.Options.Lockout) ? LoginOutcome.LockedOut : LoginOutcome.WrongEmailOrPassword;
        }
        var result = await signInManager.PasswordSignInAsync(user, password, remember, lockoutOnFailure: true);
        if (result.IsNotAllowed)
        {
            // Refused before the password was checked: say "disabled" only to whoever knows the password.
            return user.DisabledAt is not null && await userManager.CheckPasswordAsync(user, password)
                ? LoginOutcome.Disabled : LoginOutcome.WrongEmailOrPassword;
        }
        return result.Succeeded ? LoginOutcome.Succeeded
            : result.RequiresTwoFactor ? LoginOutcome.RequiresTwoFactor
            : result.IsLockedOut ? LoginOutcome.LockedOut
            : LoginOutcome.WrongEmailOrPassword;
    }

    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<AppUser>().HashPassword(new AppUser(), Guid.NewGuid().ToString()));
}

/// <summary>
/// Failed logins per unknown email, kept in memory (at most 100,000 emails), counted and locked exactly as
/// <see cref="AppUserManager"/> does for an account, on the app's <see cref="TimeProvider"/>.
/// </summary>
public sealed class UnknownLoginAttempts(TimeProvider time) : IDisposable
{
    private readonly MemoryCache attempts = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>Counts a failure; true when this email is "locked out" (now, or already), as an account would be.</summary>
    public bool Fail(string email, LockoutOptions lockout)
    {
        var counter = attempts.GetOrCreate(email.ToUpperInvariant(), entry =>
        {
            entry.Size = 1;
            // Memory only: forgotten a while after the last failure (a lockout outlives it by no more than this).
            entry.SlidingExpiration = lockout.DefaultLockoutTimeSpan * 2;
            return new Counter();
        })!;
        var now = time.GetUtcNow();
        lock (counter)
        {
            if (counter.LockedUntil is { } until && until >= now) return true;
            if (++counter.Failures < lockout.MaxFailedAccessAttempts) return false;
            counter.LockedUntil = now + lockout.DefaultLockoutTimeSpan;
            counter.Failures = 0;
            return true;
        }
    }

    public void Dispose() => attempts.Dispose();

    private sealed class Counter
    {
        public int Failures;
        public DateTimeOffset? LockedUntil;
    }
}
