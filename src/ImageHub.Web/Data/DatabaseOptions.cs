namespace ImageHub.Web.Data;

/// <summary><c>Database:Provider</c>: "Sqlite" (default) or "Postgres".</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string ConnectionStringName = "ImageHub";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
}

public enum DatabaseProvider { Sqlite, Postgres }
