using ImageHub.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Data;

public static class DatabaseExtensions
{
    /// <summary>
    /// Registers <see cref="AppDbContext"/> (scoped, for Identity and request code) and
    /// <see cref="IDbContextFactory{AppDbContext}"/> (scoped, for Blazor components, which should not hold
    /// one context for a whole circuit), on SQLite or PostgreSQL as configured. The configuration is read when
    /// the first context is made, so hosts and tests can supply it late.
    /// </summary>
    public static IServiceCollection AddImageHubDatabase(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .Validate<IConfiguration>((o, configuration) => o.Provider != DatabaseProvider.Postgres
                    || !string.IsNullOrWhiteSpace(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName)),
                "Database:Provider is Postgres but ConnectionStrings:ImageHub is empty. Set it, e.g. " +
                "ConnectionStrings__ImageHub=\"Host=127.0.0.1;Database=imagehub;Username=imagehub;Password=...\".")
            .ValidateOnStart();
        // Interceptors the features register (IInterceptor in DI, e.g. the generation change publisher) run on every context.
        services.AddDbContextFactory<SqliteAppDbContext>((sp, options) => options.UseSqlite(ConnectionString(sp, DatabaseProvider.Sqlite))
            .AddInterceptors(new SqliteBusyTimeout()).AddInterceptors(sp.GetServices<IInterceptor>()), ServiceLifetime.Scoped);
        services.AddDbContextFactory<PostgresAppDbContext>((sp, options) => options.UseNpgsql(ConnectionString(sp, DatabaseProvider.Postgres))
            .AddInterceptors(sp.GetServices<IInterceptor>()), ServiceLifetime.Scoped);
        services.AddScoped<IDbContextFactory<AppDbContext>>(sp =>
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres
                ? new AppDbContextFactory<PostgresAppDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresAppDbContext>>())
                : new AppDbContextFactory<SqliteAppDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteAppDbContext>>()));
        services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
        return services;
    }

    private static string ConnectionString(IServiceProvider services, DatabaseProvider provider)
    {
        var configured = services.GetRequiredService<IConfiguration>().GetConnectionString(DatabaseOptions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        if (provider == DatabaseProvider.Postgres)
        {
            throw new InvalidOperationException(
                "Database:Provider is Postgres but ConnectionStrings:ImageHub is empty. Set it, e.g. " +
                "ConnectionStrings__ImageHub=\"Host=127.0.0.1;Database=imagehub;Username=imagehub;Password=...\".");
        }

        var root = services.GetRequiredService<IOptions<StorageOptions>>().Value.FullRoot;
        return $"Data Source={Path.Combine(root, "imagehub.db")}";
    }

    /// <summary>
    /// Creates the storage folder (0700) and applies pending migrations of the configured provider (SQLite in WAL mode,
    /// its file made 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database file's mode).
    /// </summary>
    public static async Task MigrateImageHubDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var root = services.GetRequiredService<IOptions<StorageOptions>>().Value.FullRoot;
        PrivateFiles.CreateFolder(root);
        PrivateFiles.Restrict(root);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (db.Database.IsSqlite()
            && new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource is { Length: > 0 } file
            && file != ":memory:")
        {
            PrivateFiles.Touch(Path.GetFullPath(file));
        }
        try
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DuplicateDatabase)
        {
            // Another instance starting at the same moment created the missing database first: migrate the one it made
            // (migrations themselves take EF Core's lock, so only one instance applies them).
            await db.Database.MigrateAsync(cancellationToken);
        }
        await Features.Gallery.GallerySearch.EnsureAsync(db, cancellationToken); // search by prompt words (FTS5 / tsvector)
        if (db.Database.IsSqlite())
        {
            // Write-ahead log (kept in the file): readers never block the worker's writes, and a commit costs one
            // sync of the log instead of several of the database. synchronous stays FULL: a committed provider
            // handle survives a power cut, so a restart never sends a generation twice.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
