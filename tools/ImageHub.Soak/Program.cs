using ImageHub.Soak;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SoakOptions.Usage);
    return 0;
}

var options = SoakOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(SoakOptions.Usage);
    return 2;
}

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop the run and clean up (the processes this tool started, the database, the storage folder)
    interrupted.Cancel();
};

Cluster cluster;
try
{
    cluster = Cluster.Locate(options);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

await using (cluster)
{
    Console.WriteLine($"run {cluster.RunName}: database {cluster.RunName}, storage {cluster.StorageRoot}, logs {cluster.LogFolder}");
    try
    {
        await cluster.StartAsync(interrupted.Token);
    }
    catch (Exception e) when (e is InvalidOperationException or TimeoutException or Npgsql.NpgsqlException or HttpRequestException)
    {
        Console.Error.WriteLine($"The soak could not be set up: {e.Message}");
        return 2;
    }

    Console.WriteLine($"sandbox {cluster.SandboxRoot}, instance A {cluster.InstanceUrls[0]}, instance B {cluster.InstanceUrls[1]}; load average {SoakRun.LoadAverage()}");
    var run = new SoakRun(options, cluster);
    try
    {
        await run.RunAsync(interrupted.Token);
        var holds = await new Verdict(options, cluster, run).CheckAsync(interrupted.Token);
        return holds ? 0 : 1;
    }
    catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
    {
        Console.Error.WriteLine("Interrupted; cleaning up.");
        return 2;
    }
}
