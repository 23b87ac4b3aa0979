using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ImageHub.Web.Data;

/// <summary>
/// Lets SQLite itself wait for the write lock (PRAGMA busy_timeout, in steps of a few milliseconds) instead of
/// returning SQLITE_BUSY at once, which Microsoft.Data.Sqlite answers by sleeping 150 ms before it tries again.
/// With the job worker and requests writing side by side, that sleep was most of a generation's latency.
/// </summary>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    public const int Milliseconds = 10_000;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {Milliseconds};";
        command.ExecuteNonQuery();
    }
}
