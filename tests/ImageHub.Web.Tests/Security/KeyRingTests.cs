using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Security;

/// <summary>
/// Issue 13, finding 1: the Data Protection key ring is encrypted at rest with a certificate, so a copy of the
/// database alone (a backup, a PostgreSQL server on its own) opens no provider key and forges no cookie.
/// The attacker here works offline, as the probe did: the copied SQLite file, ASP.NET Core's own Data Protection,
/// the application name, the purposes (all public).
/// </summary>
public sealed class KeyRingTests
{
    private const string Admin = "root@example.com";
    private const string Secret = "kolbo_live_KeyRingSecret-93c1f0aa";

    public static TheoryData<bool> CertificateSources => new() { false, true };

    [Theory]
    [MemberData(nameof(CertificateSources))]
    public async Task A_copy_of_the_database_alone_decrypts_no_provider_key_and_forges_no_cookie_but_the_certificate_does(bool configuredCertificate)
    {
        var ct = TestContext.Current.CancellationToken;
        string? certificateFile = null;
        var settings = new Dictionary<string, string?> { ["Sandbox:Enabled"] = "true" };
        if (configuredCertificate)
        {
            certificateFile = Path.Combine(Path.GetTempPath(), $"imagehub-cert-{Guid.NewGuid():N}.pfx");
            await File.WriteAllBytesAsync(certificateFile, MakeCertificate("CN=Operator").Export(X509ContentType.Pfx, "pfx-password-1"), ct);
            settings["DataProtection:CertificatePath"] = certificateFile;
            settings["DataProtection:CertificatePassword"] = "pfx-password-1";
        }
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, settings);
        using var browser = app.CreateBrowser();
        await browser.RegisterAsync(Admin, Password); // the first account: instance administrator
        var workspace = await app.CreateWorkspaceAsync(Admin, "Vault");
        await app.InWorkspaceAsync(Admin, workspace, async sp =>
        {
            var result = await sp.GetRequiredService<KeyVault>().AddAsync(new AuditActor(await app.UserIdAsync(Admin), "203.0.113.9"),
                new KeyDraft("kolbo", "Copied", Secret, "personal", null));
            Assert.True(result.Succeeded, result.Message);
        });

        var copy = CopyDatabase(app.StorageRoot);
        var stolen = ReadStolenRows(copy);
        var certificate = configuredCertificate
            ? X509CertificateLoader.LoadPkcs12FromFile(certificateFile!, "pfx-password-1")
            : X509CertificateLoader.LoadPkcs12FromFile(Directory.GetFiles(app.StorageRoot, "*.pfx").Single(), null);

        var withoutCertificate = OfflineKeyRing(stolen.KeyRing, certificate: null);
        var withCertificate = OfflineKeyRing(stolen.KeyRing, certificate);

        Assert.ThrowsAny<CryptographicException>(() => withoutCertificate.CreateProtector(ProviderKeyProtector.Purpose).Unprotect(stolen.KeyCiphertext));
        Assert.NotEqual(HttpStatusCode.OK, await AdminPageWithAsync(app, TryForgeCookie(withoutCertificate, stolen)));
        Assert.Equal(Secret, withCertificate.CreateProtector(ProviderKeyProtector.Purpose).Unprotect(stolen.KeyCiphertext));
        Assert.Equal(HttpStatusCode.OK, await AdminPageWithAsync(app, TryForgeCookie(withCertificate, stolen)));
        Assert.DoesNotContain(stolen.KeyRing, xml => xml.Contains("<masterKey", StringComparison.Ordinal) && !xml.Contains("EncryptedData", StringComparison.Ordinal));
        if (certificateFile is not null) File.Delete(certificateFile);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_generated_certificate_is_readable_only_by_the_app_user()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var client = app.CreateClient();
        await client.GetAsync("/Account/Login", TestContext.Current.CancellationToken);

        var file = Directory.GetFiles(app.StorageRoot, "*.pfx").Single();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Keys_saved_under_the_old_certificate_still_open_after_rotating_to_a_new_one()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Path.Combine(Path.GetTempPath(), $"imagehub-certs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var oldFile = Path.Combine(folder, "old.pfx");
        var newFile = Path.Combine(folder, "new.pfx");
        await File.WriteAllBytesAsync(oldFile, MakeCertificate("CN=Old").Export(X509ContentType.Pfx), ct);
        await File.WriteAllBytesAsync(newFile, MakeCertificate("CN=New").Export(X509ContentType.Pfx), ct);
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = oldFile });
        var ciphertext = await app.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<ProviderKeyProtector>().Protect(Secret)));

        await using var rotated = app.Restart(new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = newFile,
            ["DataProtection:UnprotectCertificatePaths:0"] = oldFile,
        });
        var opened = await rotated.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<ProviderKeyProtector>().Unprotect(ciphertext, "old")));

        Assert.Equal(Secret, opened);
        Directory.Delete(folder, recursive: true);
    }

    private sealed record StolenRows(IReadOnlyList<string> KeyRing, string KeyCiphertext, string UserId, string Email, string SecurityStamp);

    private static string CopyDatabase(string storageRoot)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"imagehub-stolen-{Guid.NewGuid():N}.db");
        using (var source = new SqliteConnection(SqlitePool.ConnectionString(storageRoot)))
        using (var target = new SqliteConnection($"Data Source={copy}"))
        {
            source.Open();
            source.BackupDatabase(target); // the WAL's pages included, as a backup tool would
        }
        SqlitePool.ClearFor($"Data Source={copy}");
        return copy;
    }

    private static StolenRows ReadStolenRows(string copy)
    {
        var connectionString = $"Data Source={copy};Mode=ReadOnly";
        using var db = new SqliteConnection(connectionString);
        db.Open();
        var ring = new List<string>();
        using (var command = new SqliteCommand("SELECT Xml FROM DataProtectionKeys", db))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) ring.Add(reader.GetString(0));
        }
        string Scalar(string sql)
        {
            using var command = new SqliteCommand(sql, db);
            return Convert.ToString(command.ExecuteScalar())!;
        }
        var stolen = new StolenRows(ring, Scalar("SELECT Secret FROM ProviderKeys"),
            Scalar($"SELECT Id FROM Users WHERE NormalizedEmail = '{Admin.ToUpperInvariant()}'"), Admin,
            Scalar($"SELECT SecurityStamp FROM Users WHERE NormalizedEmail = '{Admin.ToUpperInvariant()}'"));
        db.Close();
        SqlitePool.ClearFor(connectionString);
        File.Delete(copy);
        return stolen;
    }

    /// <summary>Data Protection on the attacker's machine, over the key ring read from the copy.</summary>
    private static IDataProtectionProvider OfflineKeyRing(IReadOnlyList<string> keyRing, X509Certificate2? certificate)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"imagehub-ring-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        for (var i = 0; i < keyRing.Count; i++) File.WriteAllText(Path.Combine(folder, $"key-{i}.xml"), keyRing[i]);
        var services = new ServiceCollection().AddLogging();
        var builder = services.AddDataProtection().SetApplicationName("ImageHub").PersistKeysToFileSystem(new DirectoryInfo(folder)).DisableAutomaticKeyGeneration();
        if (certificate is not null) builder.UnprotectKeysWithAnyCertificate(certificate);
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }

    /// <summary>An Identity cookie for the administrator made offline, or null when the key ring refuses to protect.</summary>
    private static string? TryForgeCookie(IDataProtectionProvider keyRing, StolenRows stolen)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, stolen.UserId),
            new Claim(ClaimTypes.Name, stolen.Email),
            new Claim("AspNet.Identity.SecurityStamp", stolen.SecurityStamp),
            new Claim(ClaimsPrincipalExtensions.InstanceAdminClaim, "true"),
        ], "Identity.Application");
        var format = new TicketDataFormat(keyRing.CreateProtector(
            "Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", "Identity.Application", "v2"));
        try
        {
            return format.Protect(new AuthenticationTicket(new ClaimsPrincipal(identity), "Identity.Application"));
        }
        catch (Exception e) when (e is CryptographicException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task<HttpStatusCode> AdminPageWithAsync(ImageHubApp app, string? cookie)
    {
        if (cookie is null) return HttpStatusCode.Unauthorized;
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("Cookie", $"ImageHub.Auth={cookie}");
        return (await client.GetAsync("/admin", TestContext.Current.CancellationToken)).StatusCode;
    }

    private static X509Certificate2 MakeCertificate(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
    }
}
