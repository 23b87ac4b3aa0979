using System.Text.RegularExpressions;
using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Tests;

/// <summary>The database schema: one table convention, one configuration per entity, migrations in step with the model.</summary>
public sealed partial class SchemaTests
{
    public static TheoryData<string> Databases() => ["Sqlite", "Postgres"];

    private static AppDbContext Design(string database) => database == "Sqlite"
        ? new SqliteDesignTimeFactory().CreateDbContext([])
        : new PostgresDesignTimeFactory().CreateDbContext([]);

    [Theory]
    [MemberData(nameof(Databases))]
    public void Every_table_is_named_in_PascalCase_plural_with_no_AspNet_prefix(string database)
    {
        using var db = Design(database);

        var misnamed = db.Model.GetEntityTypes().Select(e => e.GetTableName()!)
            .Where(t => !PascalCasePlural().IsMatch(t) || t.StartsWith("AspNet", StringComparison.Ordinal)).ToList();

        Assert.Empty(misnamed);
    }

    [Fact]
    public void Every_entity_has_exactly_one_configuration()
    {
        using var db = Design("Sqlite");
        var configured = typeof(AppDbContext).Assembly.GetTypes()
            .SelectMany(t => t.GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEntityTypeConfiguration<>))
            .Select(i => i.GetGenericArguments()[0])
            .ToList();

        var entities = db.Model.GetEntityTypes().Select(e => e.ClrType).ToList();

        Assert.Empty(entities.Where(e => configured.Count(c => c == e) != 1).Select(e => e.Name));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void The_migrations_match_the_model(string database)
    {
        using var db = Design(database);

        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {database} model changed without a migration: run `bash tools/migrations.sh reset` (before the first release) or `add`.");
    }

    [GeneratedRegex("^[A-Z][A-Za-z]*s$")]
    private static partial Regex PascalCasePlural();
}
