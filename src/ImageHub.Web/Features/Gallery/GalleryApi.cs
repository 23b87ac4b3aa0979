using System.Globalization;
using System.IO.Compression;
using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Infrastructure.Images;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Gallery;

public sealed record ApiGalleryImage(
    Guid Id, Guid GenerationId, string Url, string ThumbnailUrl, int Width, int Height, string Provider, string? Model, string Prompt,
    string Author, DateTimeOffset CreatedAt, bool Starred);

public sealed record ApiGalleryPage(IReadOnlyList<ApiGalleryImage> Items, string? NextCursor);

public sealed record CreateBoardBody(string? Name);

public sealed record ApiBoard(Guid Id, string Name, int Images, DateTimeOffset CreatedAt);

/// <summary>
/// <c>/api/v1/images</c> (the gallery with its filters, stars, trash) and <c>/api/v1/boards</c>, over the same
/// services the gallery page uses. Another workspace's ids are 404s (the tenant filter never shows them).
/// </summary>
public static class GalleryApi
{
    public static IEndpointRouteBuilder MapGalleryApi(this IEndpointRouteBuilder app)
    {
        // Scopes: reads and downloads need read; changing the gallery (stars, trash, boards) needs generate, the scope of
        // a token that makes the workspace's content.
        var api = app.MapGroup("/api/v1").RequireAuthorization(ApiPolicies.ApiUser).WithTags("Gallery")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/images", ListAsync).RequireScope(ApiScopes.Read)
            .WithSummary("The gallery: images newest first, filtered (q: prompt words; provider, model, member (id or email), from/to (ISO dates, to exclusive), starred, boardId, trash), cursor paging")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/images/{id:guid}/star", (Guid id, HttpContext http, GalleryService gallery, CancellationToken ct) => StarAsync(id, true, http, gallery, ct)).RequireScope(ApiScopes.Generate)
            .WithSummary("Star an image (stars are per member)").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/images/{id:guid}/star", (Guid id, HttpContext http, GalleryService gallery, CancellationToken ct) => StarAsync(id, false, http, gallery, ct)).RequireScope(ApiScopes.Generate)
            .WithSummary("Remove your star from an image").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/images/{id:guid}", (Guid id, GalleryService gallery, CancellationToken ct) => TrashAsync(id, false, gallery, ct)).RequireScope(ApiScopes.Generate)
            .WithSummary("Move an image to the trash (purged after Gallery:TrashRetention)").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/images/{id:guid}/restore", (Guid id, GalleryService gallery, CancellationToken ct) => TrashAsync(id, true, gallery, ct)).RequireScope(ApiScopes.Generate)
            .WithSummary("Take an image back out of the trash").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/images/download", DownloadSelectionAsync).RequireScope(ApiScopes.Read)
            .WithSummary("Several images as one zip (ids: comma-separated image ids), streamed").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/boards", BoardsAsync).RequireScope(ApiScopes.Read).WithSummary("The workspace's boards");
        api.MapPost("/boards", CreateBoardAsync).RequireScope(ApiScopes.Generate).WithSummary("Create a board: {name}").ProducesValidationProblem();
        api.MapPut("/boards/{id:guid}/images/{imageId:guid}", AddToBoardAsync).RequireScope(ApiScopes.Generate)
            .WithSummary("Put an image on a board").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/boards/{id:guid}/images/{imageId:guid}", RemoveFromBoardAsync).RequireScope(ApiScopes.Generate)
            .WithSummary("Take an image off a board").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/boards/{id:guid}/download", DownloadBoardAsync).RequireScope(ApiScopes.Read)
            .WithSummary("A board's images as one zip, streamed (application/zip)").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<ApiGalleryPage>, ProblemHttpResult>> ListAsync(
        string? q, string? provider, string? model, string? member, string? from, string? to, bool? starred, Guid? boardId, bool? trash,
        string? cursor, int? limit, HttpContext http, GalleryQuery query, GalleryService gallery, IProviderRegistry providers, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var take = limit ?? 48;
        if (take is < 1 or > 100) errors.Add(new FieldError("limit", "limit must be between 1 and 100."));
        GalleryCursor? at = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (GalleryCursor.TryParse(cursor, out var parsed)) at = parsed;
            else errors.Add(new FieldError("cursor", "This cursor is not one the API gave out; start again without it."));
        }
        if (provider is { Length: > 0 } && !providers.TryGet(provider, out _))
        {
            errors.Add(new FieldError("provider", $"\"{Clip(provider)}\" is not a provider; use one of {string.Join(", ", ProviderIds.All)}."));
        }
        var start = ParseDate(from, "from", endOfDay: false, errors);
        var end = ParseDate(to, "to", endOfDay: true, errors);
        if (start is { } s && end is { } e && e <= s) errors.Add(new FieldError("to", "to must be after from."));
        Guid? memberId = null;
        if (member is { Length: > 0 })
        {
            var members = await query.MembersAsync(ct);
            memberId = members.FirstOrDefault(m => Guid.TryParse(member, out var id) ? m.Id == id : string.Equals(m.Email, member, StringComparison.OrdinalIgnoreCase)).Id;
            if (memberId == Guid.Empty) errors.Add(new FieldError("member", $"\"{Clip(member)}\" is not a member of this workspace; give a member's id or email."));
        }
        if (errors.Count > 0) return Failure.Invalid(errors).ToProblem();
        if (boardId is { } board && await gallery.BoardAsync(board, ct) is null) return Failure.NotFound("There is no such board in this workspace.").ToProblem();

        var filter = new GalleryFilter(q, provider is { Length: > 0 } ? provider : null, model is { Length: > 0 } ? model : null, memberId,
            start, end, starred ?? false, boardId, trash ?? false);
        var page = await query.PageAsync(filter, at, http.User.GetUserId(), take, ct);
        return TypedResults.Ok(new ApiGalleryPage(page.Items.Select(i => new ApiGalleryImage(
            i.Image.Id, i.GenerationId, i.Image.Url, i.Image.ThumbnailUrl, i.Image.Width, i.Image.Height, i.ProviderId, i.Model, i.Prompt,
            i.Author, i.CreatedAt, i.Starred)).ToList(), page.NextCursor));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> StarAsync(Guid id, bool starred, HttpContext http, GalleryService gallery, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } user) return Failure.Unauthorized("Sign in first.").ToProblem();
        var outcome = await gallery.StarAsync(user, id, starred, ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> TrashAsync(Guid id, bool restore, GalleryService gallery, CancellationToken ct)
    {
        var outcome = await gallery.TrashAsync([id], restore, ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.NoContent();
    }

    private static async Task<Ok<List<ApiBoard>>> BoardsAsync(GalleryService gallery, CancellationToken ct) =>
        TypedResults.Ok((await gallery.BoardsAsync(ct)).Select(b => new ApiBoard(b.Id, b.Name, b.Images, b.CreatedAt)).ToList());

    private static async Task<Results<Created<ApiBoard>, ProblemHttpResult>> CreateBoardAsync(CreateBoardBody body, HttpContext http, GalleryService gallery, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } user) return Failure.Unauthorized("Sign in first.").ToProblem();
        var outcome = await gallery.CreateBoardAsync(user, body.Name, ct);
        if (outcome.Failure is { } f) return f.ToProblem();
        var b = outcome.Value!;
        return TypedResults.Created($"/api/v1/boards/{b.Id}", new ApiBoard(b.Id, b.Name, b.Images, b.CreatedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AddToBoardAsync(Guid id, Guid imageId, HttpContext http, GalleryService gallery, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } user) return Failure.Unauthorized("Sign in first.").ToProblem();
        var outcome = await gallery.AddToBoardAsync(user, id, [imageId], ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveFromBoardAsync(Guid id, Guid imageId, GalleryService gallery, CancellationToken ct)
    {
        var outcome = await gallery.RemoveFromBoardAsync(id, imageId, ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.NoContent();
    }

    private static async Task<IResult> DownloadBoardAsync(Guid id, HttpContext http, GalleryService gallery, ImageStore store, CancellationToken ct)
    {
        if (await gallery.BoardAsync(id, ct) is not { } board) return Failure.NotFound("There is no such board in this workspace.").ToProblem();
        var files = await gallery.FilesAsync(id, null, ct);
        return Zip(files, store, $"board-{board.Id.ToString()[..8]}.zip");
    }

    private static async Task<IResult> DownloadSelectionAsync(string? ids, GalleryService gallery, ImageStore store, CancellationToken ct)
    {
        var parsed = new List<Guid>();
        foreach (var part in (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Guid.TryParse(part, out var id)) return Failure.Invalid("ids", $"\"{Clip(part)}\" is not an image id.").ToProblem();
            parsed.Add(id);
        }
        if (parsed.Count is 0 or > 500) return Failure.Invalid("ids", "Name between 1 and 500 image ids, comma-separated.").ToProblem();
        var files = await gallery.FilesAsync(null, parsed.Distinct().ToList(), ct);
        if (files.Count != parsed.Distinct().Count()) return Failure.NotFound("One of these images is not in this workspace (or is in the trash).").ToProblem();
        return Zip(files, store, "imagehub-images.zip");
    }

    /// <summary>A zip written straight to the response, one stored file at a time (images are compressed already).</summary>
    private static IResult Zip(IReadOnlyList<(GeneratedImage Image, string ProviderId)> files, ImageStore store, string name) =>
        Results.Stream(async body =>
        {
            await using var zip = new ZipArchive(new WriteOnlyAsyncStream(body), ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (image, provider) in files)
            {
                await using var source = store.OpenImage(image.Sha256, image.ContentType);
                if (source is null) continue;
                var entry = zip.CreateEntry(FileName(provider, image), CompressionLevel.NoCompression);
                entry.LastWriteTime = image.CreatedAt;
                await using var target = await entry.OpenAsync();
                await source.CopyToAsync(target);
            }
        }, "application/zip", name);

    /// <summary>A download's name: provider and the image's id, never the prompt.</summary>
    public static string FileName(string providerId, GeneratedImage image) =>
        $"imagehub-{providerId}-{image.Id:N}{image.ContentType switch { "image/png" => ".png", "image/jpeg" => ".jpg", "image/webp" => ".webp", _ => "" }}";

    private static DateTimeOffset? ParseDate(string? value, string field, bool endOfDay, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? midnight.AddDays(1) : midnight; // "to=2026-05-01" includes that day
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)) return parsed;
        errors.Add(new FieldError(field, $"\"{Clip(value)}\" is not a date; use ISO 8601, e.g. 2026-05-01 or 2026-05-01T00:00:00Z."));
        return null;
    }

    private static string Clip(string value) => value.Length > 40 ? value[..40] + "…" : value;
}

/// <summary>
/// Lets <see cref="ZipArchive"/> (which writes synchronously) write to a response body (which allows only asynchronous
/// writes): each write is passed on asynchronously and waited for. Forward-only, as the archive needs for streaming.
/// </summary>
internal sealed class WriteOnlyAsyncStream(Stream inner) : Stream
{
    private long written;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => written;
    public override long Position { get => written; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
