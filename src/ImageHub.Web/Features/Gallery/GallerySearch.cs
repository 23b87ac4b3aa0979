using System.Text.RegularExpressions;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Gallery;

/// <summary>
/// Search by prompt words: an FTS5 table on SQLite (filled by triggers on Generations, so it is kept in sync by the
/// database itself) and a GIN index on <c>to_tsvector('simple', "Prompt")</c> on PostgreSQL (an expression index is
/// always in sync). Every word must match, as a prefix ("cat" finds "cats"). Both are created after the migrations
/// (<see cref="EnsureAsync"/>) because EF Core's model has no word for either.
/// </summary>
public static partial class GallerySearch
{
    public const int MaxWords = 8;

    /// <summary>The words of a search box (letters and digits), at most <see cref="MaxWords"/>.</summary>
    public static IReadOnlyList<string> Words(string? query) =>
        string.IsNullOrWhiteSpace(query) ? [] : Word().Matches(query).Select(m => m.Value.ToLowerInvariant()).Where(w => w.Length <= 64).Take(MaxWords).ToList();

    /// <summary>Creates the search table and its triggers (SQLite) or the search index (PostgreSQL) when missing.</summary>
    public static async Task EnsureAsync(AppDbContext db, CancellationToken cancellationToken = default)
    {
        if (db.Database.IsSqlite())
        {
            var exists = await db.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'GenerationSearch'")
                .SingleAsync(cancellationToken) > 0;
            if (exists) return;
            await db.Database.ExecuteSqlRawAsync("""
                CREATE VIRTUAL TABLE "GenerationSearch" USING fts5("GenerationId" UNINDEXED, "Prompt", tokenize = 'unicode61 remove_diacritics 2');
                CREATE TRIGGER "Generations_search_insert" AFTER INSERT ON "Generations" BEGIN
                    INSERT INTO "GenerationSearch"("GenerationId", "Prompt") VALUES (new."Id", new."Prompt");
                END;
                CREATE TRIGGER "Generations_search_update" AFTER UPDATE OF "Prompt" ON "Generations" BEGIN
                    DELETE FROM "GenerationSearch" WHERE "GenerationId" = old."Id";
                    INSERT INTO "GenerationSearch"("GenerationId", "Prompt") VALUES (new."Id", new."Prompt");
                END;
                CREATE TRIGGER "Generations_search_delete" AFTER DELETE ON "Generations" BEGIN
                    DELETE FROM "GenerationSearch" WHERE "GenerationId" = old."Id";
                END;
                INSERT INTO "GenerationSearch"("GenerationId", "Prompt") SELECT "Id", "Prompt" FROM "Generations";
                """, cancellationToken);
        }
        else if (db.Database.IsNpgsql())
        {
            // Instances starting together would race on CREATE INDEX IF NOT EXISTS (PostgreSQL then refuses the second
            // with a duplicate pg_class row): one at a time under an advisory lock, and only when the index is missing.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('imagehub.gallery-search'))", cancellationToken);
            var exists = await db.Database.SqlQueryRaw<int>(
                "SELECT count(*)::int AS \"Value\" FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'IX_Generations_Prompt_search'")
                .SingleAsync(cancellationToken) > 0;
            if (!exists)
            {
                await db.Database.ExecuteSqlRawAsync(
                    "CREATE INDEX \"IX_Generations_Prompt_search\" ON \"Generations\" USING GIN (to_tsvector('simple'::regconfig, \"Prompt\"))",
                    cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// On SQLite, above this many matches the gallery walks its newest-first index and checks each image against the
    /// matches (48 hits come quickly); below it, it looks the few matches up and sorts them. The planner cannot tell
    /// which is cheaper (it has no statistics on an FTS5 table), so <see cref="ScanNewestFirstAsync"/> asks
    /// (<see cref="GalleryOptions.SearchScanThreshold"/>; measured in tests/ImageHub.Benchmarks/GalleryBenchmarks.cs).
    /// </summary>
    public const int DefaultScanThreshold = 1500;

    /// <summary>True when, on SQLite, <paramref name="words"/> match more than <paramref name="threshold"/> prompts: walking the gallery in order beats looking them up.</summary>
    public static async Task<bool> ScanNewestFirstAsync(AppDbContext db, IReadOnlyList<string> words, int threshold, CancellationToken cancellationToken)
    {
        if (words.Count == 0 || !db.Database.IsSqlite()) return false;
        var match = SqliteMatch(words);
        var count = await db.Database.SqlQuery<int>($"SELECT count(*) AS \"Value\" FROM \"GenerationSearch\" WHERE \"GenerationSearch\" MATCH {match}")
            .SingleAsync(cancellationToken);
        return count > threshold;
    }

    /// <summary>
    /// SQLite, many matches: the images whose generation matches, checked row by row (the unary + keeps SQLite from
    /// driving the query from the match list, so it reads the images newest first through their index).
    /// </summary>
    public static IQueryable<GeneratedImage> ImagesMatching(AppDbContext db, IReadOnlyList<string> words)
    {
        var match = SqliteMatch(words);
        return db.Set<GeneratedImage>().FromSql(
            $"SELECT * FROM \"GeneratedImages\" WHERE +\"GenerationId\" IN (SELECT \"GenerationId\" FROM \"GenerationSearch\" WHERE \"GenerationSearch\" MATCH {match})");
    }

    private static string SqliteMatch(IReadOnlyList<string> words) => string.Join(" ", words.Select(w => "\"" + w + "\"*"));

    /// <summary>The generations whose prompt has every word (as a prefix).</summary>
    public static IQueryable<Generation> Matching(AppDbContext db, IQueryable<Generation> generations, IReadOnlyList<string> words)
    {
        if (words.Count == 0) return generations;
        if (db.Database.IsNpgsql())
        {
            var query = string.Join(" & ", words.Select(w => w + ":*"));
            return generations.Where(g => EF.Functions.ToTsVector("simple", g.Prompt).Matches(EF.Functions.ToTsQuery("simple", query)));
        }
        var match = SqliteMatch(words);
        var ids = db.Database.SqlQuery<Guid>($"SELECT \"GenerationId\" AS \"Value\" FROM \"GenerationSearch\" WHERE \"GenerationSearch\" MATCH {match}");
        return generations.Where(g => ids.Contains(g.Id));
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
