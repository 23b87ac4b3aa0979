using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;

namespace ImageHub.Web.Features.Account;

public enum LoginOutcome { Succeeded, WrongEmailOrPassword, LockedOut }

/// <summary>
/// Password sign-in that does not tell which accounts exist: an unknown email fails and locks out after the same
/// number of attempts, with the same messages, as an account does (Identity's lockout only counts real accounts).
/// </summary>
public sealed class LoginService(SignInManager<AppUser> signInManager, UserManager<AppUser> userManager, UnknownLoginAttempts unknown)
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

    public async Task<LoginOutcome> PasswordSignInAsync(string email, string password, bool remember)
    {
        email = email.Trim();
        var user = await userManager.FindByNameAsync(email);
        if (user is null)
        {
            // The same work as checking a real password, and the same count towards a lockout.
            userManager.PasswordHasher.VerifyHashedPassword(new AppUser(), DummyHash.Value, password);
            return unknown.Fail(email, userManager.Options.Lockout) ? LoginOutcome.LockedOut : LoginOutcome.WrongEmailOrPassword;
        }
        var result = await signInManager.PasswordSignInAsync(user, password, remember, lockoutOnFailure: true);
        return result.Succeeded ? LoginOutcome.Succeeded
            : result.IsLockedOut ? LoginOutcome.LockedOut
            : LoginOutcome.WrongEmailOrPassword;
    }

    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<AppUser>().HashPassword(new AppUser(), Guid.NewGuid().ToString()));
}

/// <summary>Failed logins per unknown email, kept in memory for the lockout time (at most 100,000 emails).</summary>
public sealed class UnknownLoginAttempts : IDisposable
{
    private readonly MemoryCache attempts = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>Counts a failure; true when this email is now "locked out" as an account would be.</summary>
    public bool Fail(string email, LockoutOptions lockout)
    {
        var counter = attempts.GetOrCreate(email.ToUpperInvariant(), entry =>
        {
            entry.Size = 1;
            entry.AbsoluteExpirationRelativeToNow = lockout.DefaultLockoutTimeSpan;
            return new Counter();
        })!;
        return Interlocked.Increment(ref counter.Value) >= lockout.MaxFailedAccessAttempts;
    }

    public void Dispose() => attempts.Dispose();

    private sealed class Counter
    {
        public int Value;
    }
}
