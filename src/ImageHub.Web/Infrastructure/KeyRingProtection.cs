using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ImageHub.Web.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Infrastructure;

/// <summary><c>DataProtection:*</c>: the certificate that encrypts the Data Protection key ring at rest.</summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file with a private key. Empty: a self-signed one under Storage:Root is made and used.</summary>
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
    /// <summary>Earlier certificates (.pfx, same password) whose keys must still open after a rotation.</summary>
    public List<string> UnprotectCertificatePaths { get; set; } = [];
}

/// <summary>
/// The certificates the key ring is encrypted (the current one) and decrypted (all of them) with. Loaded once, on
/// first use, so settings supplied late (tests, hosts) apply. Without a configured certificate the first start makes
/// a self-signed one at <c>{Storage:Root}/dataprotection.pfx</c> (0600): that protects a database backup or a database
/// server on its own, not a stolen data folder, which the log says once.
/// </summary>
public sealed class KeyRingCertificates(IOptions<KeyRingOptions> options, IOptions<StorageOptions> storage, TimeProvider time, ILogger<KeyRingCertificates> logger)
{
    public const string GeneratedFileName = "dataprotection.pfx";

    private readonly Lazy<(X509Certificate2 Current, X509Certificate2[] All)> certificates = new(() => Load(options.Value, storage.Value, time, logger));

    public X509Certificate2 Current => certificates.Value.Current;
    public IReadOnlyList<X509Certificate2> All => certificates.Value.All;

    private static (X509Certificate2, X509Certificate2[]) Load(KeyRingOptions settings, StorageOptions storage, TimeProvider time, ILogger logger)
    {
        var current = string.IsNullOrWhiteSpace(settings.CertificatePath)
            ? LoadOrCreateGenerated(storage.FullRoot, time, logger)
            : LoadConfigured(settings.CertificatePath, settings.CertificatePassword, "DataProtection:CertificatePath");
        var older = settings.UnprotectCertificatePaths.Where(p => !string.IsNullOrWhiteSpace(p))
            .Select(p => LoadConfigured(p, settings.CertificatePassword, "DataProtection:UnprotectCertificatePaths"));
        return (current, [current, .. older]);
    }

    private static X509Certificate2 LoadConfigured(string path, string? password, string setting)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"{setting} \"{path}\" cannot be read as a PKCS#12 (.pfx) certificate with its private key ({e.GetType().Name}). " +
                "Check the path, its permissions and DataProtection:CertificatePassword.");
        }
        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
        {
            throw new InvalidOperationException($"{setting} \"{path}\" holds no RSA private key; the key ring needs one to encrypt and decrypt.");
        }
        return certificate;
    }

    private static X509Certificate2 LoadOrCreateGenerated(string root, TimeProvider time, ILogger logger)
    {
        var path = Path.Combine(root, GeneratedFileName);
        if (!File.Exists(path))
        {
            logger.LogWarning(
                "The Data Protection key ring is now encrypted with a self-signed certificate made at {Path}, in the data folder: a copy " +
                "of the database alone cannot open it, but a copy of the whole data folder can. A certificate kept outside the data " +
                "folder (DataProtection:CertificatePath, see README) protects better.", path);
            PrivateFiles.CreateFolder(root);
            using var rsa = RSA.Create(3072);
            var request = new CertificateRequest("CN=ImageHub Data Protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var now = time.GetUtcNow();
            using var made = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
            var temporary = path + $".{Guid.NewGuid():N}.tmp";
            PrivateFiles.WriteNewAsync(temporary, made.Export(X509ContentType.Pfx)).GetAwaiter().GetResult();
            try
            {
                File.Move(temporary, path, overwrite: false); // two instances starting at once keep the first one's
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }
        return LoadConfigured(path, null, "The generated certificate");
    }
}

public static class KeyRingProtectionExtensions
{
    /// <summary>
    /// Data Protection with its key ring in the database (every instance shares it) encrypted by
    /// <see cref="KeyRingCertificates"/>: the same as <c>PersistKeysToDbContext</c> + <c>ProtectKeysWithCertificate</c> +
    /// <c>UnprotectKeysWithAnyCertificate</c>, with the certificates read when first needed.
    /// </summary>
    public static IServiceCollection AddEncryptedKeyRing(this IServiceCollection services)
    {
        services.AddOptions<KeyRingOptions>().BindConfiguration(KeyRingOptions.Section);
        services.AddSingleton<KeyRingCertificates>();
        services.AddDataProtection().SetApplicationName("ImageHub").PersistKeysToDbContext<AppDbContext>();
        services.AddOptions<KeyManagementOptions>().Configure<KeyRingCertificates, ILoggerFactory>((o, certificates, loggers) =>
            o.XmlEncryptor = new CertificateXmlEncryptor(certificates.Current, loggers));

        // UnprotectKeysWithAnyCertificate wants the certificates now, and the options type it configures is internal:
        // register what it registers, made from the certificates when Data Protection first asks for them.
        var decryptionSetup = DecryptionSetup([]).ServiceType;
        services.Add(ServiceDescriptor.Singleton(decryptionSetup, sp =>
            DecryptionSetup([.. sp.GetRequiredService<KeyRingCertificates>().All]).ImplementationInstance!));
        return services;
    }

    private static ServiceDescriptor DecryptionSetup(X509Certificate2[] certificates)
    {
        var scratch = new ServiceCollection();
        var before = scratch.AddDataProtection().Services.Count;
        scratch.AddDataProtection().UnprotectKeysWithAnyCertificate(certificates);
        return scratch.Skip(before).Single(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>));
    }
}
