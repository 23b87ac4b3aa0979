using System.Buffers.Binary;
using System.Security.Cryptography;
using ImageHub.Web.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Account;

/// <summary>
/// The authenticator-app codes Identity checks (<see cref="TokenOptions.DefaultAuthenticatorProvider"/>: sign-in, enrolment,
/// any <c>VerifyTwoFactorTokenAsync</c>), each accepted once per account. Identity's own provider accepts a code again for
/// as long as its window is valid, so a code seen over a shoulder or phished could be used a second time. Here the time
/// step of the last accepted code is kept on the account (<see cref="AppUser.LastAuthenticatorTimeStep"/>) and a code whose
/// step is not later is refused like a wrong one. The step moves with one conditional UPDATE, so of two requests with one
/// code (on one instance or two) only one passes.
/// <para>The check itself is RFC 6238 as authenticator apps compute it: HMAC-SHA1 of the 30-second step since the Unix epoch
/// under the account's Base32 key, 6 digits, one step either side allowed for clock drift, on the app's <see cref="TimeProvider"/>.</para>
/// </summary>
public sealed class SingleUseAuthenticatorTokenProvider(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, ILogger<SingleUseAuthenticatorTokenProvider> logger)
    : IUserTwoFactorTokenProvider<AppUser>
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private const int Digits = 6;
    private const int AllowedDrift = 1;

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<AppUser> manager, AppUser user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    /// <summary>The app on the person's phone makes the codes; the server sends none.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<AppUser> manager, AppUser user) => Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<AppUser> manager, AppUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrWhiteSpace(key) || token.Length != Digits || !token.All(char.IsAsciiDigit) || Base32Decode(key) is not { Length: > 0 } secret)
        {
            return false;
        }
        var now = CurrentStep(time.GetUtcNow());
        long? matched = null;
        for (var step = now + AllowedDrift; step >= now - AllowedDrift; step--)
        {
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(secret, step)), System.Text.Encoding.ASCII.GetBytes(token)))
            {
                matched = step;
                break;
            }
        }
        if (matched is not { } accepted) return false;

        // Single use: the step moves forward only, in one statement, so a second request with this code (or an older one)
        // finds the condition false, whichever instance it reaches.
        await using var db = await dbFactory.CreateDbContextAsync();
        var moved = await db.Users
            .Where(u => u.Id == user.Id && (u.LastAuthenticatorTimeStep == null || u.LastAuthenticatorTimeStep < accepted))
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.LastAuthenticatorTimeStep, accepted));
        if (moved == 0)
        {
            logger.LogWarning("An authenticator code for account {UserId} was refused: a code of this or a later time step was already used.", user.Id);
            return false;
        }
        // The loaded account too: Identity writes the whole row when it next updates it (enrolment turning two-factor on),
        // which must not put the older step back.
        user.LastAuthenticatorTimeStep = accepted;
        return true;
    }

    /// <summary>The RFC 6238 time step of <paramref name="at"/> (30-second steps since the Unix epoch).</summary>
    public static long CurrentStep(DateTimeOffset at) => at.ToUnixTimeSeconds() / (long)Step.TotalSeconds;

    /// <summary>The 6-digit code for <paramref name="step"/> (RFC 4226 HOTP over the step, HMAC-SHA1, dynamic truncation).</summary>
    public static string Code(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(secret, counter, hash);
        var offset = hash[^1] & 0x0F;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7FFF_FFFF) % 1_000_000;
        return binary.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 4648 Base32 (the alphabet Identity's keys use), case-insensitive, padding and spaces ignored; null when not Base32.</summary>
    public static byte[]? Base32Decode(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            if (c is '=' or ' ') continue;
            var value = Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            if (value < 0) return null;
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }
        return [.. bytes];
    }
}
