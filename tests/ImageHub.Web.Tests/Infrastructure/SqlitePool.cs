using Microsoft.Data.Sqlite;

namespace ImageHub.Tests.Infrastructure;

/// <summary>
/// Closes the pooled SQLite connections of one database file. Never <see cref="SqliteConnection.ClearAllPools"/>: tests
/// run in parallel, and closing another app's last connection checkpoints and deletes its -wal and -shm files under it.
/// </summary>
public static class SqlitePool
{
    /// <summary>The connection string the app builds for <c>Storage:Root</c> (its pool's key).</summary>
    public static string ConnectionString(string storageRoot) => $"Data Source={Path.Combine(storageRoot, "imagehub.db")}";

    public static void Clear(string storageRoot) => ClearFor(ConnectionString(storageRoot));

    public static void ClearFor(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
