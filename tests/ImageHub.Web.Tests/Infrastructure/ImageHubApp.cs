using System.Net;
using System.Text.RegularExpressions;
using ImageHub.Web.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ImageHub.Tests.Infrastructure;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>
/// The real app (Program) in-process, on its own temporary Storage:Root and its own database: a SQLite file
/// under that root, or a freshly created PostgreSQL database when IMAGEHUB_TEST_POSTGRES is set (without it,
/// Postgres tests report Skipped). Dispose drops what it created.
/// </summary>
public sealed class ImageHubApp : WebApplicationFactory<Program>
{
    public const string PostgresVariable = "IMAGEHUB_TEST_POSTGRES";

    private readonly Dictionary<string, string?> settings;
    private readonly string? postgresAdmin;
    private readonly bool ownsStorage;

    public string StorageRoot { get; }
    public string? DatabaseName { get; }
    public DatabaseKind Kind { get; }
    public TestClock Clock { get; } = new();

    /// <summary>What the app logged at Error or above (exception included), for a failing test's message.</summary>
    public ServerErrors Errors { get; } = new();

    /// <summary>The hosting environment: Production unless a test (the browser tests) needs Development's static web assets.</summary>
    public string EnvironmentName { get; init; } = "Production";

    private ImageHubApp(DatabaseKind kind, string storageRoot, bool ownsStorage, string? databaseName, IDictionary<string, string?>? extra)
    {
        Kind = kind;
        StorageRoot = storageRoot;
        this.ownsStorage = ownsStorage;
        DatabaseName = databaseName;
        settings = new Dictionary<string, string?>
        {
            ["Storage:Root"] = storageRoot,
            ["Database:Provider"] = kind.ToString(),
            // Tests log in and register many times from one address; the rate-limit tests set their own limit.
            ["RateLimits:Identity:PermitLimit"] = "100000",
        };
        if (kind == DatabaseKind.Postgres)
        {
            postgresAdmin = Environment.GetEnvironmentVariable(PostgresVariable);
            settings["ConnectionStrings:ImageHub"] = $"{postgresAdmin};Database={databaseName}";
        }
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
    }

    /// <summary>A fresh app with a fresh database. Skips the calling test when Postgres is asked for but not configured.</summary>
    public static ImageHubApp Create(DatabaseKind kind, IDictionary<string, string?>? settings = null, string environment = "Production")
    {
        if (kind == DatabaseKind.Postgres && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresVariable)))
        {
            Assert.Skip($"PostgreSQL tests need {PostgresVariable} (a connection string without Database=), e.g. Host=127.0.0.1;Username=imagehub;Password=imagehub");
        }
        var root = Path.Combine(Path.GetTempPath(), "imagehub-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var database = kind == DatabaseKind.Postgres ? $"imagehub_test_{Guid.NewGuid():N}" : null;
        return new ImageHubApp(kind, root, ownsStorage: true, database, settings) { EnvironmentName = environment };
    }

    /// <summary>A second app over the same storage and database, as after a restart (or a second instance).</summary>
    public ImageHubApp Restart(IDictionary<string, string?>? extra = null)
    {
        var copy = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) copy[key] = value;
        return new ImageHubApp(Kind, StorageRoot, ownsStorage: false, DatabaseName, copy) { EnvironmentName = EnvironmentName };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Development serves css/js from the build's static web assets, as `dotnet run` does (the content root
        // the factory picks has no wwwroot of its own); the error pages are checked in Production.
        builder.UseEnvironment(EnvironmentName);
        // Whatever the environment, check lifetimes as Development does: a singleton holding a scoped service fails here.
        builder.UseDefaultServiceProvider(o =>
        {
            o.ValidateScopes = true;
            o.ValidateOnBuild = true;
        });
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        builder.ConfigureLogging(logging => logging.AddProvider(Errors));
    }

    /// <summary>Starts the app on Kestrel at a free loopback port (for a real browser); returns its base address.</summary>
    public Uri StartOnLoopback()
    {
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects by itself.</summary>
    public BrowserClient CreateBrowser() => new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Runs <paramref name="action"/> in a DI scope of the app (as a request would).</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public async Task InScopeAsync(Func<IServiceProvider, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!ownsStorage) return;
        if (Kind == DatabaseKind.Postgres && postgresAdmin is not null)
        {
            await using (var own = new NpgsqlConnection($"{postgresAdmin};Database={DatabaseName}")) NpgsqlConnection.ClearPool(own);
            await using var connection = new NpgsqlConnection($"{postgresAdmin};Database=postgres");
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", connection);
            // FORCE may not end an autovacuum worker on the test database (42501: it belongs to the superuser); it
            // finishes within moments, so try again for a while. A database left behind fails no test.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await drop.ExecuteNonQueryAsync();
                    break;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
                {
                    if (attempt == 40) break;
                    await Task.Delay(250);
                }
            }
        }
        if (Kind == DatabaseKind.Sqlite) SqlitePool.Clear(StorageRoot);
        try { Directory.Delete(StorageRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Collects the app's Error and Critical log entries, so a test that fails on an error page can say why.</summary>
public sealed class ServerErrors : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> entries = new();

    public IReadOnlyList<string> Entries => [.. entries];

    public override string ToString() => entries.IsEmpty ? "(the server logged no error)" : string.Join(Environment.NewLine, entries);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose() { }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}

/// <summary>A clock the tests move by hand (TimeProvider is injected everywhere in the app).</summary>
public sealed class TestClock : TimeProvider
{
    private DateTimeOffset now = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => now;
    public void Advance(TimeSpan by) => now += by;
}

/// <summary>Drives the static server-rendered forms the way a browser does: antiforgery token, form name, cookies.</summary>
public sealed partial class BrowserClient(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    /// <summary>GETs <paramref name="url"/>, following redirects; returns the last response and its body.</summary>
    public async Task<Page> GetAsync(string url)
    {
        var response = await Http.GetAsync(url);
        return await FollowAsync(response);
    }

    /// <summary>
    /// Loads the page holding form <paramref name="formName"/>, fills it and posts it, following redirects (unless
    /// <paramref name="follow"/> is false: then the post's own answer, e.g. a sign-in's redirect with its cookie set).
    /// </summary>
    public async Task<Page> SubmitFormAsync(string url, string formName, IDictionary<string, string> fields, bool follow = true)
    {
        var page = await GetAsync(url);
        Assert.True(page.Status == HttpStatusCode.OK, $"GET {url} answered {(int)page.Status}");
        var token = AntiforgeryToken().Match(page.Html);
        Assert.True(token.Success, $"No antiforgery token on {url}");
        var form = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["_handler"] = formName,
        };
        var response = await Http.PostAsync(page.Url, new FormUrlEncodedContent(form));
        return follow ? await FollowAsync(response) : new Page(response.StatusCode, response.RequestMessage!.RequestUri!, await response.Content.ReadAsStringAsync(), response);
    }

    public Task<Page> RegisterAsync(string email, string password, string? invite = null) =>
        SubmitFormAsync(invite is null ? "/Account/Register" : $"/Account/Register?invite={Uri.EscapeDataString(invite)}", "register",
            new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password, ["Input.ConfirmPassword"] = password });

    public Task<Page> LoginAsync(string email, string password) =>
        SubmitFormAsync("/Account/Login", "login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    private async Task<Page> FollowAsync(HttpResponseMessage response)
    {
        for (var hops = 0; hops < 10 && (int)response.StatusCode is >= 300 and < 400; hops++)
        {
            var location = response.Headers.Location!;
            var next = location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
            response.Dispose();
            response = await Http.GetAsync(next);
        }
        return new Page(response.StatusCode, response.RequestMessage!.RequestUri!, await response.Content.ReadAsStringAsync(), response);
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

public sealed record Page(HttpStatusCode Status, Uri Url, string Html, HttpResponseMessage Response)
{
    public string Path => Url.AbsolutePath;
    /// <summary>The page's text with tags stripped and entities decoded, for "the user reads X" assertions.</summary>
    public string Text => Regex.Replace(
        WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(Html, "<(script|style)[^>]*>.*?</\\1>", " ", RegexOptions.Singleline), "<[^>]+>", " ")),
        "\\s+", " ");
}
