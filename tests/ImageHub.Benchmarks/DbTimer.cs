using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Benchmarks;

/// <summary>
/// Where the database time goes (benchmark-only, registered beside the app's interceptors): commands by kind and
/// commits, counted and timed with EF Core's own durations. <see cref="Take"/> reads and resets the totals.
/// </summary>
internal sealed class DbTimer : DbCommandInterceptor, IDbTransactionInterceptor
{
    private static long reads, readTicks, writes, writeTicks, commits, commitTicks;

    /// <summary>When set, each command's first line and duration, and each commit, in order (<c>targets --trace</c>).</summary>
    public static System.Collections.Concurrent.ConcurrentQueue<string>? Trace;

    public static void Register(IServiceCollection services) => services.AddSingleton<IInterceptor, DbTimer>();

    public readonly record struct Totals(long Reads, double ReadMs, long Writes, double WriteMs, long Commits, double CommitMs)
    {
        public double Ms => ReadMs + WriteMs + CommitMs;
    }

    public static Totals Take() => new(
        Interlocked.Exchange(ref reads, 0), TimeSpan.FromTicks(Interlocked.Exchange(ref readTicks, 0)).TotalMilliseconds,
        Interlocked.Exchange(ref writes, 0), TimeSpan.FromTicks(Interlocked.Exchange(ref writeTicks, 0)).TotalMilliseconds,
        Interlocked.Exchange(ref commits, 0), TimeSpan.FromTicks(Interlocked.Exchange(ref commitTicks, 0)).TotalMilliseconds);

    private static void Log(DbCommand command, CommandExecutedEventData data)
    {
        if (Trace is null) return;
        var text = string.Join(' ', command.CommandText.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim()).Where(l => !l.StartsWith("PRAGMA", StringComparison.Ordinal)));
        Trace.Enqueue($"{data.Duration.TotalMilliseconds,7:0.00} ms  {text[..Math.Min(150, text.Length)]}");
    }

    private static void Read(CommandExecutedEventData data)
    {
        Interlocked.Increment(ref reads);
        Interlocked.Add(ref readTicks, data.Duration.Ticks);
    }

    private static void Write(CommandExecutedEventData data)
    {
        Interlocked.Increment(ref writes);
        Interlocked.Add(ref writeTicks, data.Duration.Ticks);
    }

    // A SaveChanges batch comes back as a reader (INSERT ... RETURNING); count statements that change rows as writes.
    private static bool Changes(DbCommand command) => !command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
        && !command.CommandText.TrimStart().StartsWith("PRAGMA", StringComparison.OrdinalIgnoreCase);

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Log(command, eventData);
        if (Changes(command)) Write(eventData); else Read(eventData);
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Log(command, eventData);
        if (Changes(command)) Write(eventData); else Read(eventData);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Log(command, eventData);
        if (Changes(command)) Write(eventData); else Read(eventData);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Log(command, eventData);
        if (Changes(command)) Write(eventData); else Read(eventData);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Commit(eventData);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Commit(eventData);
        return Task.CompletedTask;
    }

    private static void Commit(TransactionEndEventData data)
    {
        Trace?.Enqueue($"{data.Duration.TotalMilliseconds,7:0.00} ms  COMMIT");
        Interlocked.Increment(ref commits);
        Interlocked.Add(ref commitTicks, data.Duration.Ticks);
    }
}
