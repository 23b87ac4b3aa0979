using System.Globalization;

namespace ImageHub.Soak;

/// <summary>The command line: <c>--minutes 10 --rate 1.5 --port 5220 ...</c>. Every option has a default.</summary>
public sealed record SoakOptions
{
    public double Minutes { get; init; } = 10;

    /// <summary>Generations submitted per second, spread over the providers by <see cref="Weights"/>.</summary>
    public double Rate { get; init; } = 1.5;

    /// <summary>A fault is queued at the sandbox this often (for a random provider and key).</summary>
    public TimeSpan FaultEvery { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Instance A listens on this port, B on the next, the sandbox on the one after.</summary>
    public int Port { get; init; } = 5220;

    /// <summary>A server connection string without a database name; the run makes (and drops) its own database.</summary>
    public string Postgres { get; init; } = Environment.GetEnvironmentVariable("IMAGEHUB_TEST_POSTGRES") is { Length: > 0 } cs
        ? cs
        : "Host=127.0.0.1;Port=5432;Username=imagehub;Password=imagehub";

    /// <summary>The shared Storage:Root is this prefix plus the run's name.</summary>
    public string StoragePrefix { get; init; } = "/tmp/soak-data";

    /// <summary>How many times an instance is killed with SIGKILL (A, then B, ...), spread over the run.</summary>
    public int Kills { get; init; } = 1;

    /// <summary>How long a killed instance stays down before it is started again.</summary>
    public TimeSpan DownFor { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest wait, after the load stops, for every generation to reach a final status.</summary>
    public TimeSpan DrainFor { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Keep the database and the storage folder after the run (for a look with psql).</summary>
    public bool Keep { get; init; }

    public static IReadOnlyDictionary<string, int> Weights { get; } = new Dictionary<string, int>
    {
        // Kolbo's documented 10 generations per minute per key (Providers:Kolbo:GenerationsPerMinute) keeps its share small.
        ["koala"] = 3, ["qolaba"] = 3, ["coals"] = 3, ["kolbo"] = 1,
    };

    public const string Usage = """
        ImageHub soak test: two ImageHub instances on one fresh PostgreSQL database and one storage folder, both working
        the queue, against one sandbox process with faults; one instance is killed with SIGKILL and started again.

          dotnet run --project tools/ImageHub.Soak -c Release -- [options]

          --minutes N        minutes of load (default 10; fractions allowed)
          --rate R           generations per second (default 1.5)
          --fault-every S    seconds between queued faults (default 1)
          --kills N          SIGKILLs during the run, alternating instances (default 1)
          --down-for S       seconds a killed instance stays down (default 15)
          --drain S          longest wait for the queue to drain after the load (default 300)
          --port P           instance A on P, B on P+1, the sandbox on P+2 (default 5220)
          --postgres CS      server connection string without a database (default IMAGEHUB_TEST_POSTGRES or
                             Host=127.0.0.1;Port=5432;Username=imagehub;Password=imagehub)
          --storage PREFIX   storage root prefix (default /tmp/soak-data; the run appends its name)
          --keep             keep the database and the storage folder

        Exit code 0 when every invariant holds, 1 when one is broken, 2 when the run could not be set up.
        """;

    /// <summary>Reads the arguments; null (with <paramref name="error"/>) when one is wrong.</summary>
    public static SoakOptions? Parse(string[] args, out string? error)
    {
        var options = new SoakOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--keep")
            {
                options = options with { Keep = true };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return null;
            }

            var value = args[++i];
            double Number(double min)
            {
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < min)
                {
                    throw new FormatException($"{name} must be a number of at least {min} (was '{value}').");
                }

                return n;
            }

            try
            {
                options = name switch
                {
                    "--minutes" => options with { Minutes = Number(0.1) },
                    "--rate" => options with { Rate = Number(0.05) },
                    "--fault-every" => options with { FaultEvery = TimeSpan.FromSeconds(Number(0.05)) },
                    "--kills" => options with { Kills = (int)Number(0) },
                    "--down-for" => options with { DownFor = TimeSpan.FromSeconds(Number(0)) },
                    "--drain" => options with { DrainFor = TimeSpan.FromSeconds(Number(10)) },
                    "--port" => options with { Port = (int)Number(1) },
                    "--postgres" => options with { Postgres = value },
                    "--storage" => options with { StoragePrefix = value },
                    _ => throw new FormatException($"Unknown option {name}."),
                };
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        return options;
    }
}
