using System.Security.Cryptography;
using Npgsql;

namespace ImageHub.Soak;

/// <summary>
/// What the soak runs against: one sandbox process and two ImageHub instances (A and B) sharing a fresh PostgreSQL
/// database and one storage folder, all started by this tool from the built outputs, and removed again at the end.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly SoakOptions options;
    private readonly string repoRoot;
    private readonly string webDll;
    private readonly string sandboxDll;
    private readonly string serverConnection;
    private readonly ChildProcess?[] instances = new ChildProcess?[2];
    private readonly bool[] ready = new bool[2];
    private ChildProcess? sandbox;
    private bool databaseCreated;

    private Cluster(SoakOptions options, string repoRoot, string configuration)
    {
        this.options = options;
        this.repoRoot = repoRoot;
        webDll = Path.Combine(repoRoot, "src", "ImageHub.Web", "bin", configuration, "net10.0", "ImageHub.Web.dll");
        sandboxDll = Path.Combine(repoRoot, "src", "ImageHub.Sandbox", "bin", configuration, "net10.0", "ImageHub.Sandbox.dll");
        RunName = $"soak_{DateTime.UtcNow:yyyyMMdd_HHmmss}_{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
        StorageRoot = options.StoragePrefix + "-" + RunName;
        LogFolder = StorageRoot + "-logs";
        serverConnection = new NpgsqlConnectionStringBuilder(options.Postgres) { Database = "postgres" }.ConnectionString; // CREATE/DROP DATABASE run there
        DatabaseConnection = new NpgsqlConnectionStringBuilder(options.Postgres) { Database = RunName }.ConnectionString;
        ApiToken = "soak_" + RandomNumberGenerator.GetHexString(40, lowercase: true);
        AdminPassword = "Run-" + RandomNumberGenerator.GetHexString(24, lowercase: true);
        SandboxRoot = new Uri($"http://127.0.0.1:{options.Port + 2}/");
        InstanceUrls = [new Uri($"http://127.0.0.1:{options.Port}/"), new Uri($"http://127.0.0.1:{options.Port + 1}/")];
    }

    public string RunName { get; }

    public string StorageRoot { get; }

    public string LogFolder { get; }

    public string DatabaseConnection { get; }

    public string ApiToken { get; }

    public string AdminPassword { get; }

    public Uri SandboxRoot { get; }

    public IReadOnlyList<Uri> InstanceUrls { get; }

    public static string InstanceName(int index) => index == 0 ? "A" : "B";

    /// <summary>Started and answering /health/ready (the load sends nothing to an instance still starting).</summary>
    public bool IsUp(int index) => Volatile.Read(ref ready[index]) && instances[index] is { HasExited: false };

    public int? Pid(int index) => instances[index]?.Pid;

    /// <summary>Finds the repository (the folder holding ImageHub.sln) and the built outputs of the configuration this tool was built in.</summary>
    public static Cluster Locate(SoakOptions options)
    {
        var baseDirectory = AppContext.BaseDirectory;
        var dir = new DirectoryInfo(baseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ImageHub.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"ImageHub.sln was not found above {baseDirectory}; run the tool from the repository (dotnet run --project tools/ImageHub.Soak).");
        }

        var configuration = baseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var cluster = new Cluster(options, dir.FullName, configuration);
        foreach (var dll in new[] { cluster.webDll, cluster.sandboxDll })
        {
            if (!File.Exists(dll))
            {
                throw new InvalidOperationException($"{dll} is missing: build it first (dotnet run builds it with the tool).");
            }
        }

        return cluster;
    }

    public async Task StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(StorageRoot);
        Directory.CreateDirectory(LogFolder);
        await using (var server = new NpgsqlConnection(serverConnection))
        {
            await server.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{RunName}\"", server);
            await create.ExecuteNonQueryAsync(ct);
            databaseCreated = true;
        }

        sandbox = ChildProcess.Start("sandbox", sandboxDll,
            [
                "--urls", SandboxRoot.AbsoluteUri.TrimEnd('/'),
                // Enough credits that no key runs dry: a refusal for want of credits is not what the soak looks for.
                "--Sandbox:DefaultBalance=100000000",
                "--Sandbox:MaxRecordedRequests=1000",
            ],
            repoRoot, Path.Combine(LogFolder, "sandbox.log"));
        await WaitUntilAsync(SandboxRoot, sandbox, ct);

        // A first: it creates the schema, the administrator, the token and the key ring's certificate; then B.
        await StartInstanceAsync(0, ct);
        await StartInstanceAsync(1, ct);
    }

    public async Task StartInstanceAsync(int index, CancellationToken ct)
    {
        Volatile.Write(ref ready[index], false);
        instances[index]?.Dispose();
        var url = InstanceUrls[index];
        var bases = new
        {
            Koala = new Uri(SandboxRoot, "koala/"),
            Qolaba = new Uri(SandboxRoot, "qolaba/"),
            Coals = new Uri(SandboxRoot, "coals/api/v1/graphicoal/"),
            Kolbo = new Uri(SandboxRoot, "kolbo/api/"),
        };
        string[] args =
        [
            "--urls", url.AbsoluteUri.TrimEnd('/'),
            "--Database:Provider=Postgres",
            $"--ConnectionStrings:ImageHub={DatabaseConnection}",
            $"--Storage:Root={StorageRoot}",
            "--Sandbox:Enabled=false",
            "--Providers:AllowPrivateNetworks=true",
            $"--Providers:Koala:BaseUrl={bases.Koala}",
            $"--Providers:Qolaba:BaseUrl={bases.Qolaba}",
            $"--Providers:Coals:BaseUrl={bases.Coals}",
            $"--Providers:Kolbo:BaseUrl={bases.Kolbo}",
            "--Bootstrap:AdminEmail=soak@example.com",
            $"--Bootstrap:AdminPassword={AdminPassword}",
            "--Bootstrap:Workspace=Soak",
            $"--Bootstrap:ApiToken={ApiToken}",
            "--Jobs:Enabled=true",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:ImageHub.Web.Features.Jobs=Information",
        ];
        var name = InstanceName(index);
        var child = ChildProcess.Start(name, webDll, args, repoRoot, Path.Combine(LogFolder, $"instance-{name}.log"));
        instances[index] = child;
        await WaitUntilAsync(new Uri(url, "health/ready"), child, ct);
        Volatile.Write(ref ready[index], true);
    }

    /// <summary>SIGKILL to that instance (a process this tool started, by its PID).</summary>
    public void Kill(int index)
    {
        instances[index]?.KillHard();
        Volatile.Write(ref ready[index], false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in instances)
        {
            if (instance is not null)
            {
                await instance.StopAsync(TimeSpan.FromSeconds(20));
                instance.Dispose();
            }
        }

        if (sandbox is not null)
        {
            await sandbox.StopAsync(TimeSpan.FromSeconds(10));
            sandbox.Dispose();
        }

        if (options.Keep)
        {
            Console.WriteLine($"Kept: database {RunName}, storage {StorageRoot}.");
            return;
        }

        if (databaseCreated)
        {
            await DropDatabaseAsync();
        }

        try
        {
            Directory.Delete(StorageRoot, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"Could not remove {StorageRoot}: {e.Message}");
        }
    }

    private async Task DropDatabaseAsync()
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var server = new NpgsqlConnection(serverConnection);
                await server.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{RunName}\" WITH (FORCE)", server);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (attempt < 10)
            {
                // An autovacuum worker (which FORCE does not end) may still be on it: try again shortly.
                Console.WriteLine($"Dropping {RunName}: {e.MessageText}; retrying.");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private static async Task WaitUntilAsync(Uri url, ChildProcess child, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (child.HasExited)
            {
                throw new InvalidOperationException($"{child.Name} exited while starting; see its log.");
            }

            try
            {
                using var response = await http.GetAsync(url, ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(250, ct);
        }

        throw new TimeoutException($"{child.Name} did not answer {url} within 2 minutes; see its log.");
    }
}
