using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Data;

/// <summary>The SQLite identity of <see cref="AppDbContext"/>: owns Data/Migrations/Sqlite.</summary>
public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options, CurrentWorkspace? currentWorkspace = null)
    : AppDbContext(options, currentWorkspace);

/// <summary>The PostgreSQL identity of <see cref="AppDbContext"/>: owns Data/Migrations/Postgres.</summary>
public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options, CurrentWorkspace? currentWorkspace = null)
    : AppDbContext(options, currentWorkspace);

/// <summary>Hands out the configured provider's context as <see cref="AppDbContext"/>.</summary>
internal sealed class AppDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<AppDbContext>
    where TContext : AppDbContext
{
    public AppDbContext CreateDbContext() => inner.CreateDbContext();
}
