extern alias web;

using System.Diagnostics;
using System.Globalization;
using ImageHub.Sandbox.Imaging;
using Microsoft.Extensions.Logging.Abstractions;
using web::ImageHub.Web.Infrastructure.Images;

namespace ImageHub.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/ImageHub.Benchmarks -- targets [--rounds 5] [--circuits 25] [--database Postgres] [--trace]</c>: the hub
/// against the targets of issue 12, in one run, printed as one table (target, median over the rounds, pass/miss).
/// The generation figures come from one app (SQLite, or PostgreSQL with IMAGEHUB_TEST_POSTGRES; in-memory TestServer, job worker on, the sandbox serving
/// pre-painted images) driven through <c>POST /api/v1/generations</c>; each round runs 100 generations one at a
/// time (submit overhead, submit→stored) and 640 kept 32 in flight (throughput), once with the event-log row per
/// status change and once without it (<see cref="EventLogSwitch"/>, alternating which goes first). Memory per circuit
/// runs in a child process (<see cref="CircuitMemoryProbe"/>); thumbnails through the app's own thumbnailer.
/// </summary>
internal static class TargetsCommand
{
    private const int Sequential = 100;
    private const int InFlight = 32;
    private const int Batch = 640;

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Option(args, "--rounds", 5);
        var circuits = Option(args, "--circuits", 25);
        var database = args.SkipWhile(a => a != "--database").Skip(1).FirstOrDefault() ?? "Sqlite";
        var total = Stopwatch.StartNew();
        Console.WriteLine($"ImageHub targets: {database}, {rounds} rounds, {circuits} circuits, {Environment.ProcessorCount} cores, load at start {Load()}");

        var on = new List<Round>();
        var off = new List<Round>();
        await using (var host = await BenchHost.StartAsync(database, GenerationDriver.Settings(InFlight, prePainted: true),
                         "ihp_benchmark_token_0000000000000004", services =>
                     {
                         EventLogSwitch.Register(services);
                         DbTimer.Register(services);
                     }))
        using (var driver = new GenerationDriver(host))
        {
            await driver.RunAsync(Batch / 4, InFlight); // warm: JIT, pools, the sandbox's picture
            await driver.RunAsync(Sequential / 4, 1);
            if (args.Contains("--trace"))
            {
                DbTimer.Trace = new();
                var one = await driver.RunOneAsync();
                await Task.Delay(200);
                Console.WriteLine($"One generation's database commands (submit {one.SubmitMs:0.00} ms, stored {one.TotalMs:0.00} ms):");
                foreach (var line in DbTimer.Trace) Console.WriteLine("    " + line);
                DbTimer.Trace = null;
                return 0;
            }
            for (var r = 0; r < rounds; r++)
            {
                foreach (var skip in r % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    EventLogSwitch.Skip = skip;
                    var round = await RunRoundAsync(driver);
                    (skip ? off : on).Add(round);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  round {r + 1} events {(skip ? "off" : "on ")}: submit p50 {round.SubmitP50:0.00} p99 {round.SubmitP99:0.00} ms, " +
                        $"stored p50 {round.StoredP50:0.00} p99 {round.StoredP99:0.00} ms, {round.PerSecond:0} gen/s at {InFlight} (p50 {round.LoadedP50:0} ms); " +
                        $"database per generation one at a time: {Per(round.Db.Reads)} reads {Per(round.Db.ReadMs):0.00} ms, {Per(round.Db.Writes)} writes {Per(round.Db.WriteMs):0.00} ms, " +
                        $"{Per(round.Db.Commits)} commits {Per(round.Db.CommitMs):0.00} ms; load {Load()}"));
                }
            }
            EventLogSwitch.Skip = false;
        }

        var thumbs = await ThumbnailsAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  thumbnails ({thumbs.Engine}, {ImageStore.ThumbnailSize} px WebP): sandbox pictures median {thumbs.PaintedKb:0.0} KB, grainy photo-like median {thumbs.GrainyKb:0.0} KB (max {thumbs.GrainyMaxKb:0.0}), {thumbs.Ms:0} ms each (median)"));

        var memory = circuits > 0 ? await CircuitsAsync(circuits, rounds: 3) : [];
        foreach (var m in memory) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  circuits: {m.WsKb:0} KB working set, {m.ManagedKb:0} KB managed heap per circuit ({circuits} circuits)"));

        double M(List<Round> list, Func<Round, double> pick) => Stats.Median(list.Select(pick));
        var wsKb = Stats.Median(memory.Select(m => m.WsKb));
        var rows = new (string Measure, string Target, string Measured, bool Pass)[]
        {
            ("submit overhead p50 (API request to queued)", "≤ 1 ms", Ms(M(on, r => r.SubmitP50)), M(on, r => r.SubmitP50) <= 1),
            ("submit overhead p99", "≤ 5 ms", Ms(M(on, r => r.SubmitP99)), M(on, r => r.SubmitP99) <= 5),
            ("submit to images stored p50 (to Succeeded)", "≤ 10 ms", Ms(M(on, r => r.StoredP50)), M(on, r => r.StoredP50) <= 10),
            ($"completed generations/s at concurrency {InFlight}", "≥ 250/s", $"{M(on, r => r.PerSecond):0}/s", M(on, r => r.PerSecond) >= 250),
            ("memory per idle circuit, gallery page", "≤ 250 KB", memory.Count == 0 ? "not measured" : $"{wsKb:0} KB", memory.Count > 0 && wsKb <= 250),
            ("thumbnail size (sandbox / grainy photo)", "≤ 25 KB", $"{thumbs.PaintedKb:0.0} / {thumbs.GrainyKb:0.0} KB", Math.Max(thumbs.PaintedKb, thumbs.GrainyKb) <= 25),
        };
        Console.WriteLine();
        Console.WriteLine($"| measure | target | measured (median of {rounds}) | |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var row in rows) Console.WriteLine($"| {row.Measure} | {row.Target} | {row.Measured} | {(row.Pass ? "pass" : "MISS")} |");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Event-log row per status change (medians, on → off): submit p50 {M(on, r => r.SubmitP50):0.00} → {M(off, r => r.SubmitP50):0.00} ms, " +
            $"stored p50 {M(on, r => r.StoredP50):0.00} → {M(off, r => r.StoredP50):0.00} ms, throughput {M(on, r => r.PerSecond):0} → {M(off, r => r.PerSecond):0}/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Database time per generation, one at a time (medians): {M(on, r => Per(r.Db.Ms)):0.00} ms of {M(on, r => r.StoredP50):0.00} ms " +
            $"({M(on, r => Per(r.Db.Reads)):0.0} reads {M(on, r => Per(r.Db.ReadMs)):0.00} ms, {M(on, r => Per(r.Db.Writes)):0.0} writes {M(on, r => Per(r.Db.WriteMs)):0.00} ms, " +
            $"{M(on, r => Per(r.Db.Commits)):0.0} commits {M(on, r => Per(r.Db.CommitMs)):0.00} ms); without the event-log rows {M(off, r => Per(r.Db.Ms)):0.00} ms"));
        Console.WriteLine($"Load at end {Load()}; took {total.Elapsed.TotalSeconds:0} s.");
        return 0;
    }

    private sealed record Round(double SubmitP50, double SubmitP99, double StoredP50, double StoredP99, double PerSecond, double LoadedP50, DbTimer.Totals Db);

    private static async Task<Round> RunRoundAsync(GenerationDriver driver)
    {
        DbTimer.Take();
        var (one, _) = await driver.RunAsync(Sequential, 1);
        var db = DbTimer.Take();
        var (many, elapsed) = await driver.RunAsync(Batch, InFlight);
        var submit = one.Select(t => t.SubmitMs).Order().ToArray();
        var stored = one.Select(t => t.TotalMs).Order().ToArray();
        var loaded = many.Select(t => t.TotalMs).Order().ToArray();
        return new(Stats.Percentile(submit, 0.5), Stats.Percentile(submit, 0.99), Stats.Percentile(stored, 0.5), Stats.Percentile(stored, 0.99),
            Batch / elapsed.TotalSeconds, Stats.Percentile(loaded, 0.5), db);
    }

    private sealed record Thumbs(string Engine, double PaintedKb, double GrainyKb, double GrainyMaxKb, double Ms);

    /// <summary>
    /// 12 sandbox pictures (smooth: gradients, bands, a disc) and 12 grainy photo-like ones (the same with ±20 of
    /// noise per channel, as a high-ISO photo has), 1024×1024 PNG, through the app's thumbnailer at the gallery's size.
    /// </summary>
    private static async Task<Thumbs> ThumbnailsAsync()
    {
        var thumbnailer = Thumbnailers.Detect(NullLogger.Instance);
        var painted = new List<double>();
        var grainy = new List<double>();
        var times = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            foreach (var (png, sizes) in new[] { (ImagePainter.PaintPng($"thumbnail {i}", i, 1024, 1024), painted), (Grainy(i), grainy) })
            {
                var clock = Stopwatch.StartNew();
                var thumb = await thumbnailer.ThumbnailAsync(png, ImageStore.ThumbnailSize, CancellationToken.None);
                times.Add(clock.Elapsed.TotalMilliseconds);
                sizes.Add(thumb is null ? double.NaN : thumb.Length / 1024.0);
            }
        }
        return new(thumbnailer.Engine, Stats.Median(painted), Stats.Median(grainy), grainy.Max(), Stats.Median(times));
    }

    internal static byte[] Grainy(int seed)
    {
        var random = new Random(seed);
        var picture = PngFileRows(ImagePainter.PaintPng($"grain {seed}", seed, 1024, 1024));
        return PngEncoder.Encode(1024, 1024, (y, row) =>
        {
            for (var i = 0; i < row.Length; i++) row[i] = (byte)Math.Clamp(picture[y][i] + random.Next(-20, 21), 0, 255);
        });
    }

    /// <summary>The RGB rows of one of the sandbox's PNGs (8-bit RGB, filters None/Sub/Up only, as its encoder writes).</summary>
    private static byte[][] PngFileRows(byte[] png)
    {
        var idat = new MemoryStream();
        var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16));
        var height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20));
        for (var offset = 8; offset < png.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (png.AsSpan(offset + 4, 4).SequenceEqual("IDAT"u8)) idat.Write(png, offset + 8, length);
            offset += 12 + length;
        }
        idat.Position = 0;
        using var inflate = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
        var stride = width * 3;
        var rows = new byte[height][];
        var raw = new byte[stride + 1];
        var previous = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            inflate.ReadExactly(raw);
            var row = new byte[stride];
            for (var i = 0; i < stride; i++)
            {
                var value = raw[i + 1];
                row[i] = raw[0] switch
                {
                    1 => (byte)(value + (i >= 3 ? row[i - 3] : 0)),
                    2 => (byte)(value + previous[i]),
                    _ => value,
                };
            }
            rows[y] = row;
            previous = row;
        }
        return rows;
    }

    private sealed record Memory(double WsKb, double ManagedKb);

    /// <summary>Runs <see cref="CircuitMemoryProbe"/> in a child process with the server GC (as the web app runs).</summary>
    private static async Task<List<Memory>> CircuitsAsync(int count, int rounds)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(TargetsCommand).Assembly.Location);
        foreach (var a in new[] { "circuits", "--circuits", count.ToString(CultureInfo.InvariantCulture), "--rounds", rounds.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        start.Environment["DOTNET_gcServer"] = "1";
        using var child = Process.Start(start)!;
        var error = child.StandardError.ReadToEndAsync();
        var results = new List<Memory>();
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("CIRCUITS ", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ');
            results.Add(new(double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture)));
        }
        await child.WaitForExitAsync();
        if (child.ExitCode != 0) Console.WriteLine($"  circuits: the probe failed ({child.ExitCode}): {(await error).Split('\n').FirstOrDefault(l => l.Contains("Exception", StringComparison.Ordinal)) ?? await error}");
        return results;
    }

    internal static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    private static double Per(double total) => Math.Round(total / Sequential, 2);

    private static string Ms(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:0.00} ms");

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
