using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageHub.EndToEnd.Infrastructure;

/// <summary>A person at the test provider: their password and the claims it sends.</summary>
public sealed record OidcUser(
    [property: JsonPropertyName("password")] string Password,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("email_verified")] bool EmailVerified,
    [property: JsonPropertyName("groups")] string[] Groups,
    [property: JsonPropertyName("name")] string? Name = null);

/// <summary>
/// A real OpenID Connect provider (the npm library oidc-provider, tests/oidc-provider/provider.mjs) run by Node on a
/// free loopback port, with one confidential client for ImageHub (a "native" client, so any loopback port of the app's
/// redirect URI /signin-oidc is accepted). Users can be added or changed while it runs (<see cref="SetUserAsync"/>).
/// Stopped by its process id on dispose.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "imagehub";
    public const string ClientSecret = "test-client-secret-0123456789";

    private readonly Process process;
    private readonly string configPath;
    private readonly string adminToken;
    private readonly HttpClient http = new();

    private OidcProvider(Process process, string configPath, string adminToken, Uri issuer)
    {
        this.process = process;
        this.configPath = configPath;
        this.adminToken = adminToken;
        Issuer = issuer;
    }

    /// <summary>The issuer (and authority), http://127.0.0.1:{port}.</summary>
    public Uri Issuer { get; }

    /// <param name="endSession">false: a provider without RP-initiated logout (no end_session_endpoint).</param>
    public static async Task<OidcProvider> StartAsync(bool endSession = true)
    {
        var folder = Folder();
        if (!File.Exists(Path.Combine(folder, "node_modules", "oidc-provider", "package.json")))
        {
            // .ci/run installs it; a developer's first run does it here.
            await RunAsync("npm", $"ci --no-audit --no-fund --prefix \"{folder}\"");
        }
        var adminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var client = new Dictionary<string, object>
        {
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["application_type"] = "native",
            ["redirect_uris"] = new[] { "http://127.0.0.1/signin-oidc" },
            ["token_endpoint_auth_method"] = "client_secret_post",
            ["grant_types"] = new[] { "authorization_code" },
            ["response_types"] = new[] { "code" },
        };
        // Signing out at the provider comes back to the app's login page (any loopback port, as for redirect_uris).
        if (endSession) client["post_logout_redirect_uris"] = new[] { "http://127.0.0.1/Account/Login" };
        var config = new
        {
            adminToken,
            clients = new[] { client },
            users = new Dictionary<string, OidcUser>(),
            endSession,
        };
        var configPath = Path.Combine(Path.GetTempPath(), $"imagehub-oidc-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config));

        var start = new ProcessStartInfo("node", ["provider.mjs", configPath])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
        if (line is null)
        {
            lock (errors) throw new InvalidOperationException($"The OpenID Connect provider did not start: {errors}");
        }
        var issuer = JsonDocument.Parse(line).RootElement.GetProperty("issuer").GetString()!;
        return new OidcProvider(process, configPath, adminToken, new Uri(issuer));
    }

    /// <summary>Adds or replaces the user <paramref name="username"/> (their next sign-in carries these claims).</summary>
    public async Task SetUserAsync(string username, OidcUser user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(Issuer, $"/__test/users/{Uri.EscapeDataString(username)}"))
        {
            Content = JsonContent.Create(user),
        };
        request.Headers.Add("x-test-token", adminToken);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The app's Oidc:* settings for this provider.</summary>
    public Dictionary<string, string?> Settings(string displayName = "Test IdP") => new()
    {
        ["Oidc:Authority"] = Issuer.ToString().TrimEnd('/'),
        ["Oidc:ClientId"] = ClientId,
        ["Oidc:ClientSecret"] = ClientSecret,
        ["Oidc:DisplayName"] = displayName,
        ["Oidc:Scopes"] = "openid profile email groups",
        ["Oidc:RoleClaim"] = "groups",
    };

    private static string Folder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ImageHub.sln"))) directory = directory.Parent;
        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("ImageHub.sln not found above the test assembly"), "tests", "oidc-provider");
    }

    private static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false }) ?? throw new InvalidOperationException($"{file} did not start");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}");
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        try
        {
            if (!process.HasExited)
            {
                process.Kill(); // this process only, by its id
                await process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        process.Dispose();
        File.Delete(configPath);
    }
}
