using ImageHub.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Data;

public static class DatabaseExtensions
{
    /// <summary>
    /// Registers <see cref="AppDbContext"/> (scoped, for Identity and request code) and
    /// <see cref="IDbContextFactory{AppDbContext}"/> (scoped, for Blazor components, which should not hold
    /// one context for a whole circuit), on SQLite or PostgreSQL as configured.
    /// </summary>
    public static IHostApplicationBuilder AddImageHubDatabase(this IHostApplicationBuilder builder, string storageRoot)
    {
        var provider = builder.Configuration.GetSection(DatabaseOptions.Section).GetValue<DatabaseProvider?>(nameof(DatabaseOptions.Provider))
            ?? DatabaseProvider.Sqlite;
        var connectionString = builder.Configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);

        if (provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Database:Provider is Postgres but ConnectionStrings:ImageHub is empty. Set it, e.g. " +
                "\"Host=127.0.0.1;Database=imagehub;Username=imagehub;Password=...\".");
        }

        if (provider == DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = $"Data Source={Path.Combine(storageRoot, "imagehub.db")}";
        }

        if (provider == DatabaseProvider.Postgres)
        {
            Register<PostgresAppDbContext>(builder.Services, options => options.UseNpgsql(connectionString));
        }
        else
        {
            Register<SqliteAppDbContext>(builder.Services, options => options.UseSqlite(connectionString));
        }
        return builder;
    }

    private static void Register<TContext>(IServiceCollection services, Action<DbContextOptionsBuilder> configure)
        where TContext : AppDbContext
    {
        // Scoped factory: contexts it creates get the scope's CurrentWorkspace (request or circuit).
        services.AddDbContextFactory<TContext>(configure, ServiceLifetime.Scoped);
        services.AddScoped<IDbContextFactory<AppDbContext>>(sp => new AppDbContextFactory<TContext>(sp.GetRequiredService<IDbContextFactory<TContext>>()));
        services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext());
    }

    /// <summary>Applies pending migrations of the configured provider.</summary>
    public static async Task MigrateImageHubDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }
}
