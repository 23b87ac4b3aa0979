using System.Reflection;
using Microsoft.AspNetCore.Identity;

namespace ImageHub.Web.Features.Account;

/// <summary>
/// The app's password rules beyond the length (<see cref="MinimumLength"/>, Identity's own check): not the email, not
/// containing the email or its local part, and not one of the <see cref="CommonPasswords.Count"/> most common passwords.
/// </summary>
internal sealed class PasswordPolicy : IPasswordValidator<AppUser>
{
    public const int MinimumLength = 12;

    public Task<IdentityResult> ValidateAsync(UserManager<AppUser> manager, AppUser user, string? password)
    {
        var errors = new List<IdentityError>();
        password ??= "";
        var email = (user.Email ?? user.UserName ?? "").Trim();
        var local = email.Split('@')[0];
        if (email.Length > 0 && password.Contains(email, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new IdentityError { Code = "PasswordContainsEmail", Description = "Choose a password that does not contain your email address." });
        }
        else if (local.Length >= 3 && password.Contains(local, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new IdentityError { Code = "PasswordContainsEmail", Description = $"Choose a password that does not contain \"{local}\" from your email address." });
        }
        if (CommonPasswords.Contains(password))
        {
            errors.Add(new IdentityError
            {
                Code = "PasswordTooCommon",
                Description = $"This password is one of the {CommonPasswords.Count:N0} most common passwords, which are tried first. Choose another, for example a few unrelated words.",
            });
        }
        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }
}

/// <summary>
/// The most common passwords, most common first, from the ranked list the zxcvbn-core package ships (its
/// <c>passwords.lst</c>, taken from leaked password sets), cut at <see cref="Count"/>. Compared case-insensitively.
/// </summary>
public static class CommonPasswords
{
    public const int Count = 10_000;

    private static readonly Lazy<HashSet<string>> List = new(Load);

    public static bool Contains(string password) => List.Value.Contains(password.Trim());

    private static HashSet<string> Load()
    {
        var assembly = Assembly.Load("zxcvbn-core");
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("passwords.lst", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (set.Count < Count && reader.ReadLine() is { } line)
        {
            if (line.Length > 0) set.Add(line);
        }
        return set;
    }
}
