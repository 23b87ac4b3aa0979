using System.Text.Json;
using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Gallery;

/// <summary>An image as a thumbnail tile or in a result card.</summary>
public sealed record ImageTile(Guid Id, Guid GenerationId, int Width, int Height, string ContentType)
{
    public string ThumbnailUrl => $"/images/{Id}/thumb";
    public string Url => $"/images/{Id}";
    public string PageUrl => $"/images/{Id}/view";
}

/// <summary>One generation as the composer's result cards and the image page show it.</summary>
public sealed record GenerationCard(
    Guid Id,
    Guid? BatchId,
    string ProviderId,
    string? Model,
    string Prompt,
    int NumImages,
    string OptionsJson,
    GenerationStatus Status,
    int? Progress,
    string? ErrorMessage,
    decimal? EstimatedCredits,
    decimal? Credits,
    decimal? CostUsd,
    string? KeyLabel,
    string Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<ImageTile> Images)
{
    /// <summary>The provider's display name (set from the provider registry by <see cref="GalleryQuery"/>).</summary>
    public string ProviderName { get; init; } = ProviderId;

    /// <summary>The model, or what sending none meant for this provider ("Smart Select", "provider default").</summary>
    public string ModelText { get; init; } = Model ?? "provider default";

    public bool IsActive => !Status.IsFinal();

    /// <summary>Seconds from queued to done (or null while it runs).</summary>
    public double? Seconds => CompletedAt is { } done ? Math.Max(0, (done - CreatedAt).TotalSeconds) : null;

    /// <summary>The provider's own option fields, as they were validated and sent.</summary>
    public IReadOnlyDictionary<string, JsonElement> Options =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(string.IsNullOrWhiteSpace(OptionsJson) ? "{}" : OptionsJson) ?? [];
}

/// <summary>One tile of the gallery: the image and what made it.</summary>
public sealed record GalleryItem(ImageTile Image, string ProviderId, string? Model, string Prompt, decimal? Credits, decimal? CostUsd, int ImagesInGeneration, string Author, DateTimeOffset CreatedAt)
{
    /// <summary>The provider's display name (set from the provider registry by <see cref="GalleryQuery"/>).</summary>
    public string ProviderName { get; init; } = ProviderId;
    public Guid GenerationId { get; init; }
    /// <summary>Starred by the member asking.</summary>
    public bool Starred { get; init; }
    /// <summary>When it went to the trash (null when it is not there).</summary>
    public DateTimeOffset? DeletedAt { get; init; }
}

/// <summary>
/// What the gallery shows: every part is optional and they combine. <see cref="Starred"/> means starred by the
/// member asking; <see cref="To"/> is exclusive.
/// </summary>
public sealed record GalleryFilter(
    string? Query = null, string? ProviderId = null, string? Model = null, Guid? MemberId = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, bool Starred = false, Guid? BoardId = null, bool Trash = false)
{
    public static readonly GalleryFilter None = new();
}

/// <summary>Where a page of the gallery ends: the last image's (CreatedAt, Id), written as opaque base64url text.</summary>
public readonly record struct GalleryCursor(DateTimeOffset At, Guid Id)
{
    public override string ToString() =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{At.ToUnixTimeMilliseconds()}:{Id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Reads a cursor this app wrote; false for anything else.</summary>
    public static bool TryParse(string? text, out GalleryCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 100) return false;
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
                || ms > 253402300799999 || !Guid.TryParseExact(parts[1], "N", out var id)) return false;
            cursor = new GalleryCursor(DateTimeOffset.FromUnixTimeMilliseconds(ms), id);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>A page of the gallery, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record GalleryPageResult(IReadOnlyList<GalleryItem> Items, string? NextCursor);

/// <summary>
/// The reads behind the composer's result cards, the gallery and the image page. Every query runs through the
/// tenant filter, so another workspace's rows are never visible; one short-lived context per call (Blazor circuits
/// must not share one).
/// </summary>
public sealed class GalleryQuery(IDbContextFactory<AppDbContext> contexts, IProviderRegistry providers, Microsoft.Extensions.Options.IOptions<GalleryOptions> options)
{
    /// <summary>The provider's display name, from the provider itself.</summary>
    public string ProviderName(string providerId) => providers.TryGet(providerId, out var provider) ? provider.DisplayName : providerId;

    private string NoModelText(string providerId) => providers.TryGet(providerId, out var provider) ? provider.Profile.NoModelText : "provider default";

    public const int DefaultPageSize = 48;

    public async Task<IReadOnlyList<GenerationCard>> CardsAsync(IReadOnlyCollection<Guid> generationIds, CancellationToken cancellationToken = default)
    {
        if (generationIds.Count == 0) return [];
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = generationIds.ToList();
        var rows = await db.Set<Generation>().AsNoTracking().Where(g => ids.Contains(g.Id)).ToListAsync(cancellationToken);
        return await ToCardsAsync(db, rows, cancellationToken);
    }

    /// <summary>
    /// The member's latest <paramref name="runs"/> runs (for the composer after a reload), newest first. A compare
    /// comes back whole, its cards in provider order (the order the composer shows them in while they run).
    /// </summary>
    public async Task<IReadOnlyList<GenerationCard>> RecentRunsForAsync(Guid userId, int runs, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var mine = db.Set<Generation>().AsNoTracking().Where(g => g.CreatedById == userId);
        var latest = await mine.OrderByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id)
            .Take(runs * ProviderIds.All.Count).Select(g => new { g.Id, g.BatchId }).ToListAsync(cancellationToken);
        var keys = latest.Select(g => g.BatchId ?? g.Id).Distinct().Take(runs).ToList();
        var rows = await mine.Where(g => keys.Contains(g.Id) || (g.BatchId != null && keys.Contains(g.BatchId.Value))).ToListAsync(cancellationToken);
        var ordered = rows.OrderBy(g => keys.IndexOf(g.BatchId ?? g.Id)).ThenBy(g => ProviderOrder(g.ProviderId)).ToList();
        return await ToCardsAsync(db, ordered, cancellationToken);
    }

    /// <summary>Where a provider's card sits in a compare: the order of <see cref="ProviderIds.All"/>.</summary>
    public static int ProviderOrder(string providerId) => ProviderIds.All.ToList().IndexOf(providerId) is var i and >= 0 ? i : int.MaxValue;

    public async Task<GenerationCard?> GenerationAsync(Guid generationId, CancellationToken cancellationToken = default) =>
        (await CardsAsync([generationId], cancellationToken)).FirstOrDefault();

    /// <summary>The generation an image belongs to, with that image's id, or null when it is not in this workspace.</summary>
    public async Task<(GenerationCard Card, ImageTile Image)?> ImageAsync(Guid imageId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var image = await db.Set<GeneratedImage>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == imageId, cancellationToken);
        if (image is null) return null;
        var generation = await db.Set<Generation>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == image.GenerationId, cancellationToken);
        if (generation is null) return null;
        var card = (await ToCardsAsync(db, [generation], cancellationToken))[0];
        return (card, card.Images.First(i => i.Id == imageId));
    }

    /// <summary>
    /// The workspace's images matching <paramref name="filter"/>, newest first, <paramref name="take"/> at a time
    /// after <paramref name="cursor"/> (keyset paging on (CreatedAt, Id): as fast at page 1,000 as at page 1, and
    /// images arriving meanwhile never shift a page). <paramref name="userId"/> is whose stars count.
    /// </summary>
    public async Task<GalleryPageResult> PageAsync(GalleryFilter filter, GalleryCursor? cursor, Guid? userId, int take = DefaultPageSize, CancellationToken cancellationToken = default)
    {
        take = Math.Clamp(take, 1, 200);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Filtered(db, filter, userId, await GallerySearch.ScanNewestFirstAsync(db, GallerySearch.Words(filter.Query), options.Value.SearchScanThreshold, cancellationToken));
        if (cursor is { } c) query = query.Where(r => r.Image.CreatedAt < c.At || (r.Image.CreatedAt == c.At && r.Image.Id.CompareTo(c.Id) < 0));
        var rows = await query.OrderByDescending(r => r.Image.CreatedAt).ThenByDescending(r => r.Image.Id).Take(take + 1).ToListAsync(cancellationToken);
        var page = rows.Take(take).ToList();
        var items = await ItemsAsync(db, page, userId, cancellationToken);
        return new GalleryPageResult(items, rows.Count > take ? new GalleryCursor(page[^1].Image.CreatedAt, page[^1].Image.Id).ToString() : null);
    }

    /// <summary>The images just before and after <paramref name="imageId"/> in the gallery's order under <paramref name="filter"/>.</summary>
    public async Task<(Guid? Previous, Guid? Next)> NeighboursAsync(Guid imageId, GalleryFilter filter, Guid? userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var image = await db.Set<GeneratedImage>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == imageId, cancellationToken);
        if (image is null) return (null, null);
        var query = Filtered(db, filter, userId, await GallerySearch.ScanNewestFirstAsync(db, GallerySearch.Words(filter.Query), options.Value.SearchScanThreshold, cancellationToken));
        var (at, id) = (image.CreatedAt, image.Id);
        var newer = await query.Where(r => r.Image.CreatedAt > at || (r.Image.CreatedAt == at && r.Image.Id.CompareTo(id) > 0))
            .OrderBy(r => r.Image.CreatedAt).ThenBy(r => r.Image.Id).Select(r => (Guid?)r.Image.Id).FirstOrDefaultAsync(cancellationToken);
        var older = await query.Where(r => r.Image.CreatedAt < at || (r.Image.CreatedAt == at && r.Image.Id.CompareTo(id) < 0))
            .OrderByDescending(r => r.Image.CreatedAt).ThenByDescending(r => r.Image.Id).Select(r => (Guid?)r.Image.Id).FirstOrDefaultAsync(cancellationToken);
        return (newer, older);
    }

    /// <summary>Whether <paramref name="userId"/> starred the image, and when it went to the trash.</summary>
    public async Task<(bool Starred, DateTimeOffset? DeletedAt)> ImageStateAsync(Guid imageId, Guid? userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db.Set<GeneratedImage>().Where(i => i.Id == imageId).Select(i => i.DeletedAt).FirstOrDefaultAsync(cancellationToken);
        var starred = userId is { } me && await db.Set<ImageStar>().AnyAsync(s => s.ImageId == imageId && s.UserId == me, cancellationToken);
        return (starred, deleted);
    }

    /// <summary>The members of the workspace (id and email), for the member filter.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Email)>> MembersAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await (from m in db.WorkspaceMembers join u in db.Users on m.UserId equals u.Id orderby u.Email select new { u.Id, u.Email })
            .ToListAsync(cancellationToken);
        return rows.Select(r => (r.Id, r.Email ?? "")).ToList();
    }

    /// <summary>The distinct models the workspace's generations used on <paramref name="providerId"/> (or any provider).</summary>
    public async Task<IReadOnlyList<string>> ModelsAsync(string? providerId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<Generation>().AsNoTracking().Where(g => g.Model != null && (providerId == null || g.ProviderId == providerId))
            .Select(g => g.Model!).Distinct().OrderBy(m => m).Take(200).ToListAsync(cancellationToken);
    }

    private sealed class Row
    {
        public required GeneratedImage Image { get; init; }
        public required Generation Generation { get; init; }
    }

    /// <param name="scan">SQLite with a common search word: match images in gallery order (<see cref="GallerySearch.ImagesMatching"/>).</param>
    private static IQueryable<Row> Filtered(AppDbContext db, GalleryFilter filter, Guid? userId, bool scan)
    {
        var words = GallerySearch.Words(filter.Query);
        var generations = scan ? db.Set<Generation>() : GallerySearch.Matching(db, db.Set<Generation>(), words);
        if (filter.ProviderId is { } provider) generations = generations.Where(g => g.ProviderId == provider);
        if (filter.Model is { } model) generations = generations.Where(g => g.Model == model);
        if (filter.MemberId is { } member) generations = generations.Where(g => g.CreatedById == member);
        var images = (scan ? GallerySearch.ImagesMatching(db, words) : db.Set<GeneratedImage>()).AsNoTracking().Where(i => filter.Trash ? i.DeletedAt != null : i.DeletedAt == null);
        if (filter.From is { } from) images = images.Where(i => i.CreatedAt >= from);
        if (filter.To is { } to) images = images.Where(i => i.CreatedAt < to);
        if (filter.Starred && userId is { } me) images = images.Where(i => db.Set<ImageStar>().Any(s => s.ImageId == i.Id && s.UserId == me));
        if (filter.BoardId is { } board) images = images.Where(i => db.Set<BoardImage>().Any(b => b.BoardId == board && b.ImageId == i.Id));
        return from i in images join g in generations.AsNoTracking() on i.GenerationId equals g.Id select new Row { Image = i, Generation = g };
    }

    private async Task<List<GalleryItem>> ItemsAsync(AppDbContext db, List<Row> page, Guid? userId, CancellationToken cancellationToken)
    {
        var authorIds = page.Select(r => r.Generation.CreatedById).Distinct().ToList();
        var authors = await db.Users.AsNoTracking().Where(u => authorIds.Contains(u.Id))
            .Select(u => new { u.Id, u.Email }).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        var ids = page.Select(r => r.Image.Id).ToList();
        var starred = userId is { } me
            ? (await db.Set<ImageStar>().Where(s => s.UserId == me && ids.Contains(s.ImageId)).Select(s => s.ImageId).ToListAsync(cancellationToken)).ToHashSet()
            : [];
        return page.Select(r => new GalleryItem(
            Tile(r.Image), r.Generation.ProviderId, r.Generation.Model, r.Generation.Prompt, r.Generation.Credits, r.Generation.CostUsd,
            r.Generation.NumImages, authors.GetValueOrDefault(r.Generation.CreatedById) ?? "a former member", r.Image.CreatedAt)
        {
            ProviderName = ProviderName(r.Generation.ProviderId),
            GenerationId = r.Generation.Id,
            Starred = starred.Contains(r.Image.Id),
            DeletedAt = r.Image.DeletedAt,
        }).ToList();
    }

    private async Task<IReadOnlyList<GenerationCard>> ToCardsAsync(AppDbContext db, List<Generation> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return [];
        var ids = rows.Select(g => g.Id).ToList();
        var authorIds = rows.Select(g => g.CreatedById).Distinct().ToList();
        var images = await db.Set<GeneratedImage>().AsNoTracking().Where(i => ids.Contains(i.GenerationId))
            .OrderBy(i => i.Index).ToListAsync(cancellationToken);
        var authors = await db.Users.AsNoTracking().Where(u => authorIds.Contains(u.Id))
            .Select(u => new { u.Id, u.Email }).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        var byGeneration = images.ToLookup(i => i.GenerationId);
        return rows.Select(g => new GenerationCard(
            g.Id, g.BatchId, g.ProviderId, g.Model, g.Prompt, g.NumImages, g.OptionsJson, g.Status, g.Progress, g.ErrorMessage,
            g.EstimatedCredits, g.Credits, g.CostUsd, g.KeyLabel, authors.GetValueOrDefault(g.CreatedById) ?? "a former member",
            g.CreatedAt, g.StartedAt, g.CompletedAt, byGeneration[g.Id].Select(Tile).ToList())
        {
            ProviderName = ProviderName(g.ProviderId),
            ModelText = g.Model ?? NoModelText(g.ProviderId),
        }).ToList();
    }

    private static ImageTile Tile(GeneratedImage i) => new(i.Id, i.GenerationId, i.Width, i.Height, i.ContentType);
}
