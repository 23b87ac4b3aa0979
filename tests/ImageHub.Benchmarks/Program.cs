using BenchmarkDotNet.Running;
using ImageHub.Benchmarks;

// `targets`: the targets table in one run (TargetsCommand); `circuits`: its child process for memory per
// circuit; anything else goes to BenchmarkDotNet (`--filter '*Gallery*'`).
return args.FirstOrDefault() switch
{
    "targets" => await TargetsCommand.RunAsync(args),
    "circuits" => await CircuitMemoryProbe.RunAsync(TargetsCommand.Option(args, "--circuits", 25), TargetsCommand.Option(args, "--rounds", 3),
        TargetsCommand.Option(args, "--images", 48), args.SkipWhile(a => a != "--path").Skip(1).FirstOrDefault() ?? "/gallery"),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
