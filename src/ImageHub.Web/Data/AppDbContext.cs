using System.Linq.Expressions;
using System.Reflection;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Data;

/// <summary>
/// The app's one database. Tenant isolation lives here and nowhere else: every entity implementing
/// <see cref="IWorkspaceScoped"/> gets the query filter <see cref="WorkspaceFilter"/> on the current
/// workspace, and added rows get the current workspace stamped (or are refused when they name another).
/// </summary>
/// <remarks>
/// Each database has its own migration set, so each has its own context type
/// (<see cref="SqliteAppDbContext"/>, <see cref="PostgresAppDbContext"/>); the app only sees this one.
/// See docs/migrations.md.
/// </remarks>
public abstract class AppDbContext(DbContextOptions options, CurrentWorkspace? currentWorkspace)
    : IdentityDbContext<AppUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    private readonly CurrentWorkspace currentWorkspace = currentWorkspace ?? new CurrentWorkspace();

    /// <summary>The name of the tenant query filter (EF Core named filters), for IgnoreQueryFilters([...]).</summary>
    public const string WorkspaceFilter = "Workspace";

    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<WorkspaceMember> WorkspaceMembers => Set<WorkspaceMember>();
    public DbSet<WorkspaceInvite> WorkspaceInvites => Set<WorkspaceInvite>();
    public DbSet<InstanceSettings> InstanceSettings => Set<InstanceSettings>();
    /// <summary>The Data Protection key ring (encrypted with a certificate; Infrastructure/KeyRingProtection.cs).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Read by the query filters on every query (EF parameterizes it per context instance).</summary>
    internal Guid CurrentWorkspaceId => currentWorkspace.Id;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcMillisecondsConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<NullableUtcMillisecondsConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);

        builder.Entity<Workspace>().HasQueryFilter(WorkspaceFilter, w => w.Id == CurrentWorkspaceId);

        var applyFilter = typeof(AppDbContext).GetMethod(nameof(ApplyWorkspaceFilter), BindingFlags.NonPublic | BindingFlags.Instance)!;
        foreach (var entityType in builder.Model.GetEntityTypes().ToList())
        {
            if (typeof(IWorkspaceScoped).IsAssignableFrom(entityType.ClrType) && entityType.BaseType is null)
            {
                applyFilter.MakeGenericMethod(entityType.ClrType).Invoke(this, [builder]);
            }
        }
    }

    private void ApplyWorkspaceFilter<TEntity>(ModelBuilder builder) where TEntity : class, IWorkspaceScoped
    {
        Expression<Func<TEntity, bool>> filter = e => e.WorkspaceId == CurrentWorkspaceId;
        builder.Entity<TEntity>().HasQueryFilter(WorkspaceFilter, filter);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampWorkspace();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampWorkspace();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void StampWorkspace()
    {
        foreach (var entry in ChangeTracker.Entries<IWorkspaceScoped>())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            var property = entry.Property(e => e.WorkspaceId);
            if (entry.State == EntityState.Modified && property.IsModified)
            {
                throw new InvalidOperationException($"A {entry.Metadata.ClrType.Name} cannot move to another workspace.");
            }

            if (entry.State != EntityState.Added)
            {
                continue;
            }

            if (property.CurrentValue == Guid.Empty)
            {
                if (!currentWorkspace.IsSet)
                {
                    throw new InvalidOperationException($"A {entry.Metadata.ClrType.Name} was added with no current workspace.");
                }
                property.CurrentValue = currentWorkspace.Id;
            }
            else if (property.CurrentValue != currentWorkspace.Id)
            {
                throw new InvalidOperationException(
                    $"A {entry.Metadata.ClrType.Name} for another workspace was added; use CurrentWorkspace.Use(...) where that is intended.");
            }
        }
    }
}
