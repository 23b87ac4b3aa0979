extern alias web;

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using web::ImageHub.Web.Features.Workspaces;

namespace ImageHub.Benchmarks;

/// <summary>
/// The app every benchmark runs: the real web project (its Program) in this process, Production environment, a fresh
/// storage folder, SQLite or a fresh PostgreSQL database (IMAGEHUB_TEST_POSTGRES, a connection string without
/// Database=; created here, dropped on dispose), a bootstrapped administrator with an API token, logging at Warning.
/// Either the in-memory TestServer (<see cref="Api"/>) or, with <c>kestrel</c>, real HTTP on a loopback port
/// (<see cref="BaseUrl"/>; <see cref="Api"/> then talks to it).
/// </summary>
internal sealed class BenchHost : IAsyncDisposable
{
    public const string AdminEmail = "bench@example.com";
    public const string AdminPassword = "correct horse battery";
    public const string PostgresVariable = "IMAGEHUB_TEST_POSTGRES";

    /// <summary>The sandbox with no added delay (and so no waiting anywhere but in the hub).</summary>
    public static Dictionary<string, string?> FastSandbox(bool prePainted) => new()
    {
        ["Sandbox:Enabled"] = "true",
        ["Sandbox:KoalaReadyDelay"] = "00:00:00",
        ["Sandbox:QolabaTaskStepDelay"] = "00:00:00",
        ["Sandbox:KolboStepDelay"] = "00:00:00",
        ["Sandbox:DefaultBalance"] = "1000000000",
        ["Sandbox:PrePaintedImages"] = prePainted ? "true" : "false",
    };

    private readonly string root;
    private readonly string? database;

    private BenchHost(WebApplicationFactory<web::Program> app, HttpClient api, string root, string? database, Uri? baseUrl)
    {
        App = app;
        Api = api;
        this.root = root;
        this.database = database;
        BaseUrl = baseUrl;
    }

    public WebApplicationFactory<web::Program> App { get; }
    public IServiceProvider Services => App.Services;

    /// <summary>A client with the administrator's bearer token (when a token was asked for).</summary>
    public HttpClient Api { get; }

    /// <summary>The loopback URL when started with Kestrel.</summary>
    public Uri? BaseUrl { get; }

    public string StorageRoot => root;
    public Guid AdminId { get; private set; }
    public Guid WorkspaceId { get; private set; }

    /// <param name="database">"Sqlite" or "Postgres".</param>
    /// <param name="settings">Settings on top of the base ones (storage, database, bootstrap).</param>
    /// <param name="token">The administrator's API token, or null for none.</param>
    /// <param name="services">Extra registrations after the app's own.</param>
    /// <param name="kestrel">Serve on a loopback port (and the static web assets) instead of the in-memory TestServer.</param>
    public static async Task<BenchHost> StartAsync(string database, IDictionary<string, string?> settings, string? token = null,
        Action<IServiceCollection>? services = null, bool kestrel = false)
    {
        var root = Path.Combine(Path.GetTempPath(), "imagehub-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var all = new Dictionary<string, string?>
        {
            ["Storage:Root"] = root,
            ["Database:Provider"] = database,
            ["Bootstrap:AdminEmail"] = AdminEmail,
            ["Bootstrap:AdminPassword"] = AdminPassword,
        };
        if (token is not null) all["Bootstrap:ApiToken"] = token;
        string? databaseName = null;
        if (database == "Postgres")
        {
            var admin = Environment.GetEnvironmentVariable(PostgresVariable)
                ?? throw new InvalidOperationException($"The PostgreSQL case needs {PostgresVariable} (a connection string without Database=).");
            databaseName = $"imagehub_bench_{Guid.NewGuid():N}";
            all["ConnectionStrings:ImageHub"] = $"{admin};Database={databaseName}";
        }
        foreach (var (key, value) in settings) all[key] = value;

        // The factory looks for the web project beside the solution; tell it where it really is.
        var webProject = Path.Combine(RepositoryRoot(), "src", "ImageHub.Web");
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_IMAGEHUB_WEB", webProject);
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_ImageHub_Web", webProject);
        var app = new WebApplicationFactory<web::Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(all));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            if (services is not null) builder.ConfigureServices(services);
            // A browser needs css/js: served from the build's static web assets, as `dotnet run` does (the content root
            // the factory picks has no wwwroot of its own).
            if (kestrel) builder.UseStaticWebAssets();
        });
        Uri? baseUrl = null;
        HttpClient api;
        if (kestrel)
        {
            app.UseKestrel(0);
            app.StartServer();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            baseUrl = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
            api = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = baseUrl };
        }
        else
        {
            api = app.CreateClient();
        }
        if (token is not null) api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var live = await api.GetAsync("/health/live")) live.EnsureSuccessStatusCode(); // migrations, bootstrap

        var host = new BenchHost(app, api, root, databaseName, baseUrl);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<web::ImageHub.Web.Features.Account.AppUser>>();
        host.AdminId = (await users.FindByEmailAsync(AdminEmail))!.Id;
        host.WorkspaceId = (await scope.ServiceProvider.GetRequiredService<WorkspaceDirectory>().ResolveAsync(host.AdminId, null))!.WorkspaceId;
        return host;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ImageHub.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Run the benchmarks from inside the repository (ImageHub.sln not found above the build output).");
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        if (database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection($"{Environment.GetEnvironmentVariable(PostgresVariable)};Database=postgres");
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
