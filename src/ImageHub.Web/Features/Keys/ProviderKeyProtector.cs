using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace ImageHub.Web.Features.Keys;

/// <summary>
/// Encrypts provider key secrets with ASP.NET Core Data Protection under their own purpose, so the
/// ciphertext is useless to every other protector in the app (cookies, antiforgery). The key ring lives in
/// the database (encrypted with a certificate, Infrastructure/KeyRingProtection.cs), so every instance and every restart can decrypt.
/// </summary>
public sealed class ProviderKeyProtector(IDataProtectionProvider provider)
{
    public const string Purpose = "ImageHub.ProviderKeys.v1";

    private readonly IDataProtector protector = provider.CreateProtector(Purpose);

    public string Protect(string secret) => protector.Protect(secret);

    /// <summary>The plaintext, or a <see cref="KeyVaultException"/> (without the ciphertext) when the key ring cannot open it.</summary>
    public string Unprotect(string ciphertext, string label)
    {
        try
        {
            return protector.Unprotect(ciphertext);
        }
        catch (CryptographicException)
        {
            throw new KeyVaultException(
                $"The key \"{label}\" cannot be decrypted: this instance does not have the Data Protection key it was saved with. Add the key again.");
        }
    }
}

/// <summary>A key the vault cannot hand out (deleted, disabled, expired, undecryptable). The message is for people; it never holds a secret.</summary>
public sealed class KeyVaultException(string message) : Exception(message);
