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
}

/// <summary>A page of the gallery, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record GalleryPageResult(IReadOnlyList<GalleryItem> Items, string? NextCursor);

/// <summary>
/// The reads behind the composer's result cards, the gallery and the image page. Every query runs through the
/// tenant filter, so another workspace's rows are never visible; one short-lived context per call (Blazor circuits
/// must not share one).
/// </summary>
public sealed class GalleryQuery(IDbContextFactory<AppDbContext> contexts, IProviderRegistry providers)
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

    /// <summary>The workspace's images, newest first, <paramref name="take"/> at a time from <paramref name="cursor"/>.</summary>
    public async Task<GalleryPageResult> PageAsync(string? cursor, int take = DefaultPageSize, string? providerId = null, CancellationToken cancellationToken = default)
    {
        take = Math.Clamp(take, 1, 200);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // The cursor is "{shown}:{newest}": how many were shown, and the newest image's time when paging began, so
        // images arriving meanwhile do not shift the pages (they show on the next visit).
        var (skip, upTo) = ParseCursor(cursor);
        var images = db.Set<GeneratedImage>().AsNoTracking();
        if (upTo is { } bound) images = images.Where(i => i.CreatedAt < bound);
        var query =
            from i in images
            join g in db.Set<Generation>() on i.GenerationId equals g.Id
            join u in db.Users on g.CreatedById equals u.Id into authors
            from u in authors.DefaultIfEmpty()
            where providerId == null || g.ProviderId == providerId
            orderby i.CreatedAt descending, i.Id descending
            select new { Image = i, g.ProviderId, g.Model, g.Prompt, g.Credits, g.CostUsd, g.NumImages, Author = u == null ? null : u.Email };
        var rows = await query.Skip(skip).Take(take + 1).ToListAsync(cancellationToken);
        var items = rows.Take(take).Select(r => new GalleryItem(
            Tile(r.Image), r.ProviderId, r.Model, r.Prompt, r.Credits, r.CostUsd, r.NumImages, r.Author ?? "a former member", r.Image.CreatedAt)
        {
            ProviderName = ProviderName(r.ProviderId),
        }).ToList();
        var newest = upTo?.AddMilliseconds(-1) ?? (items.Count > 0 ? items[0].CreatedAt : (DateTimeOffset?)null);
        return new GalleryPageResult(items, rows.Count > take && newest is { } n ? $"{skip + take}:{n.ToUnixTimeMilliseconds()}" : null);
    }

    private static (int Skip, DateTimeOffset? UpTo) ParseCursor(string? cursor)
    {
        var parts = (cursor ?? "").Split(':');
        return parts.Length == 2 && int.TryParse(parts[0], out var skip) && skip >= 0 && long.TryParse(parts[1], out var ms)
            ? (skip, DateTimeOffset.FromUnixTimeMilliseconds(ms + 1))
            : (0, null);
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
