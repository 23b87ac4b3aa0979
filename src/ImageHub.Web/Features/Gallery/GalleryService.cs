using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Images;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Gallery;

/// <summary>Gallery settings (section <c>Gallery</c>).</summary>
public sealed class GalleryOptions
{
    public const string Section = "Gallery";

    /// <summary>How long an image stays in the trash before it is purged.</summary>
    public TimeSpan TrashRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the trash is checked.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>SQLite: above this many matching prompts a search walks the gallery newest first instead of looking the matches up.</summary>
    public int SearchScanThreshold { get; set; } = GallerySearch.DefaultScanThreshold;
}

public sealed record BoardView(Guid Id, string Name, int Images, DateTimeOffset CreatedAt);

/// <summary>
/// What members do to the gallery: stars, the trash, boards. Every call runs in the current workspace (the tenant
/// filter), so an id from another workspace is simply not found.
/// </summary>
public sealed class GalleryService(IDbContextFactory<AppDbContext> contexts, CurrentWorkspace workspace, GalleryNotifier notifier, TimeProvider time)
{
    private static Failure NoImage() => Failure.NotFound("There is no such image in this workspace.");
    private static Failure NoBoard() => Failure.NotFound("There is no such board in this workspace.");

    public async Task<Outcome> StarAsync(Guid userId, Guid imageId, bool starred, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Set<GeneratedImage>().AnyAsync(i => i.Id == imageId, cancellationToken)) return NoImage();
        var existing = await db.Set<ImageStar>().FirstOrDefaultAsync(s => s.ImageId == imageId && s.UserId == userId, cancellationToken);
        if (starred && existing is null) db.Add(new ImageStar { ImageId = imageId, UserId = userId, CreatedAt = time.GetUtcNow() });
        if (!starred && existing is not null) db.Remove(existing);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (starred)
        {
            // Starred twice at once: it is starred.
        }
        await PublishAsync(GalleryChangeKind.Starred, userId, [imageId]);
        return Outcome.Ok(starred ? "Starred." : "Star removed.");
    }

    /// <summary>Moves images to the trash (or back out of it with <paramref name="restore"/>).</summary>
    public async Task<Outcome> TrashAsync(IReadOnlyCollection<Guid> imageIds, bool restore = false, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = imageIds.Distinct().ToList();
        var images = await db.Set<GeneratedImage>().Where(i => ids.Contains(i.Id)).ToListAsync(cancellationToken);
        if (images.Count != ids.Count) return NoImage();
        var now = time.GetUtcNow();
        foreach (var image in images) image.DeletedAt = restore ? null : image.DeletedAt ?? now;
        await db.SaveChangesAsync(cancellationToken);
        await PublishAsync(restore ? GalleryChangeKind.Restored : GalleryChangeKind.Trashed, workspace.UserId ?? Guid.Empty, ids);
        var count = images.Count == 1 ? "1 image" : $"{images.Count} images";
        return Outcome.Ok(restore ? $"Restored {count}." : $"Moved {count} to the trash.");
    }

    public async Task<IReadOnlyList<BoardView>> BoardsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<Board>().AsNoTracking().OrderBy(b => b.Name)
            .Select(b => new BoardView(b.Id, b.Name, db.Set<BoardImage>().Count(i => i.BoardId == b.Id), b.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<Outcome<BoardView>> CreateBoardAsync(Guid userId, string? name, CancellationToken cancellationToken = default)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0) return Failure.Invalid("name", "Give the board a name.");
        if (trimmed.Length > Board.NameMaxLength) return Failure.Invalid("name", $"A board name has at most {Board.NameMaxLength} characters (this one has {trimmed.Length}).");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var board = new Board { Name = trimmed, CreatedById = userId, CreatedAt = time.GetUtcNow() };
        db.Add(board);
        await db.SaveChangesAsync(cancellationToken);
        await PublishAsync(GalleryChangeKind.Boards, userId, []);
        return Outcome<BoardView>.Ok(new BoardView(board.Id, board.Name, 0, board.CreatedAt), $"Board \"{board.Name}\" created.");
    }

    public async Task<BoardView?> BoardAsync(Guid boardId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<Board>().AsNoTracking().Where(b => b.Id == boardId)
            .Select(b => new BoardView(b.Id, b.Name, db.Set<BoardImage>().Count(i => i.BoardId == b.Id), b.CreatedAt))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Puts images on a board (already there: no change).</summary>
    public async Task<Outcome> AddToBoardAsync(Guid userId, Guid boardId, IReadOnlyCollection<Guid> imageIds, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var board = await db.Set<Board>().AsNoTracking().FirstOrDefaultAsync(b => b.Id == boardId, cancellationToken);
        if (board is null) return NoBoard();
        var ids = imageIds.Distinct().ToList();
        if (await db.Set<GeneratedImage>().CountAsync(i => ids.Contains(i.Id), cancellationToken) != ids.Count) return NoImage();
        var present = await db.Set<BoardImage>().Where(b => b.BoardId == boardId && ids.Contains(b.ImageId)).Select(b => b.ImageId).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var id in ids.Except(present)) db.Add(new BoardImage { BoardId = boardId, ImageId = id, AddedById = userId, AddedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Someone added the same image at the same moment: it is on the board.
        }
        await PublishAsync(GalleryChangeKind.Boards, userId, ids);
        return Outcome.Ok(ids.Count == 1 ? $"Added to \"{board.Name}\"." : $"Added {ids.Count} images to \"{board.Name}\".");
    }

    public async Task<Outcome> RemoveFromBoardAsync(Guid boardId, Guid imageId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Set<Board>().AnyAsync(b => b.Id == boardId, cancellationToken)) return NoBoard();
        await db.Set<BoardImage>().Where(b => b.BoardId == boardId && b.ImageId == imageId).ExecuteDeleteAsync(cancellationToken);
        await PublishAsync(GalleryChangeKind.Boards, workspace.UserId ?? Guid.Empty, [imageId]);
        return Outcome.Ok("Removed from the board.");
    }

    /// <summary>Tells the workspace's open gallery pages (on every instance) what changed; called once the change is saved.</summary>
    private Task PublishAsync(GalleryChangeKind kind, Guid by, IReadOnlyCollection<Guid> imageIds) =>
        workspace.IsSet ? notifier.PublishAsync(GalleryChange.Of(workspace.Id, kind, by, imageIds)) : Task.CompletedTask;

    /// <summary>The images (not in the trash) of a board, or of a selection, for a zip: id, file and a name without the prompt.</summary>
    public async Task<IReadOnlyList<(GeneratedImage Image, string ProviderId)>> FilesAsync(Guid? boardId, IReadOnlyCollection<Guid>? imageIds, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var images = db.Set<GeneratedImage>().AsNoTracking().Where(i => i.DeletedAt == null);
        if (boardId is { } board) images = images.Where(i => db.Set<BoardImage>().Any(b => b.BoardId == board && b.ImageId == i.Id));
        if (imageIds is not null)
        {
            var ids = imageIds.ToList();
            images = images.Where(i => ids.Contains(i.Id));
        }
        var rows = await (from i in images join g in db.Set<Generation>() on i.GenerationId equals g.Id orderby i.CreatedAt descending, i.Id descending select new { Image = i, g.ProviderId })
            .Take(5000).ToListAsync(cancellationToken);
        return rows.Select(r => (r.Image, r.ProviderId)).ToList();
    }
}

/// <summary>
/// Empties the trash: images deleted longer than <see cref="GalleryOptions.TrashRetention"/> ago lose their rows
/// (and their stars, board places and share places), and a file goes only when no image row references it any more
/// (the store is content-addressed: two generations may have made the same bytes).
/// </summary>
public sealed class TrashPurger(IServiceScopeFactory scopes, IOptions<GalleryOptions> options, TimeProvider time, ImageStore store, ILogger<TrashPurger> logger) : BackgroundService
{
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(cancellationToken);
        var cutoff = time.GetUtcNow() - options.Value.TrashRetention;
        var all = db.Set<GeneratedImage>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]);
        var purged = 0;
        while (true)
        {
            var doomed = await all.Where(i => i.DeletedAt != null && i.DeletedAt < cutoff)
                .OrderBy(i => i.Id).Select(i => new { i.Id, i.Sha256, i.ContentType }).Take(500).ToListAsync(cancellationToken);
            if (doomed.Count == 0) return purged;
            var ids = doomed.Select(d => d.Id).ToList();
            await all.Where(i => ids.Contains(i.Id)).ExecuteDeleteAsync(cancellationToken);
            purged += doomed.Count;
            foreach (var file in doomed.DistinctBy(d => d.Sha256))
            {
                if (await all.AnyAsync(i => i.Sha256 == file.Sha256, cancellationToken)) continue;
                try
                {
                    store.Delete(file.Sha256, file.ContentType);
                }
                catch (IOException e)
                {
                    logger.LogWarning(e, "Could not delete the purged image file {Sha256}", file.Sha256);
                }
            }
            logger.LogInformation("Purged {Count} images from the trash", doomed.Count);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                logger.LogWarning(e, "The trash purge failed; it runs again in {Interval}", options.Value.PurgeInterval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
