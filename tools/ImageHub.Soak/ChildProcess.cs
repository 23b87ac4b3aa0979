using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ImageHub.Soak;

/// <summary>
/// A process this tool started (<c>dotnet some.dll args</c>), its output appended to a log file. It is only ever
/// stopped through its own PID: SIGKILL for the soak's crash, SIGTERM (then SIGKILL after a grace period) at the end.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process process;
    private readonly StreamWriter log;

    private ChildProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        this.process = process;
        this.log = log;
    }

    public string Name { get; }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public static ChildProcess Start(string name, string dll, IEnumerable<string> args, string workingDirectory, string logPath)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, log);
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {name} (dotnet {dll}).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        child.Write($"--- {name} started, pid {process.Id}, {DateTimeOffset.UtcNow:O}");
        return child;
    }

    /// <summary>SIGKILL: the process gets no chance to hand back leases or finish a request.</summary>
    public void KillHard()
    {
        if (process.HasExited)
        {
            return;
        }

        Write($"--- {Name} killed with SIGKILL, {DateTimeOffset.UtcNow:O}");
        process.Kill(entireProcessTree: false); // SIGKILL on Unix
        process.WaitForExit();
    }

    /// <summary>SIGTERM, then SIGKILL when it has not stopped within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        if (OperatingSystem.IsWindows() || Kill(process.Id, SigTerm) != 0)
        {
            KillHard();
            return;
        }

        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            KillHard();
        }
    }

    public void Dispose()
    {
        KillHard();
        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code enabled for one int-only call
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
