using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Images;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace ImageHub.Web.Features.Gallery;

/// <summary>
/// <c>GET /images/{id}</c> and <c>/images/{id}/thumb</c>: the stored bytes, to members of the image's workspace
/// only (a member's cookie, whichever workspace they have selected, or an API token bound to that workspace);
/// 404 for everyone else. Content-addressed, so cached for a year.
/// </summary>
public static class ImageEndpoints
{
    public const string CacheControl = "private, max-age=31536000, immutable";

    public static IEndpointRouteBuilder MapImageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/images/{id:guid}", (Guid id, HttpContext http, AppDbContext db, CurrentWorkspace workspace, WorkspaceDirectory directory, ImageStore store) =>
                ServeAsync(id, thumbnail: false, http, db, workspace, directory, store))
            .RequireAuthorization(ApiPolicies.ApiUser).RequireScope(ApiScopes.Read).ExcludeFromDescription();
        app.MapGet("/images/{id:guid}/thumb", (Guid id, HttpContext http, AppDbContext db, CurrentWorkspace workspace, WorkspaceDirectory directory, ImageStore store) =>
                ServeAsync(id, thumbnail: true, http, db, workspace, directory, store))
            .RequireAuthorization(ApiPolicies.ApiUser).RequireScope(ApiScopes.Read).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ServeAsync(Guid id, bool thumbnail, HttpContext http, AppDbContext db, CurrentWorkspace workspace,
        WorkspaceDirectory directory, ImageStore store)
    {
        var ct = http.RequestAborted;
        var image = await db.Set<GeneratedImage>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .FirstOrDefaultAsync(i => i.Id == id, ct);
        if (image is null || !await MayReadAsync(image.WorkspaceId, http, workspace, directory, ct))
        {
            return NotFound();
        }

        var stream = thumbnail ? await store.OpenThumbnailAsync(image.Sha256, image.ContentType, ct) : null;
        var contentType = stream is null ? image.ContentType : "image/webp";
        stream ??= store.OpenImage(image.Sha256, image.ContentType);
        if (stream is null) return NotFound("The image file is missing from the store.");

        http.Response.Headers[HeaderNames.CacheControl] = CacheControl;
        var etag = new EntityTagHeaderValue($"\"{image.Sha256[..32]}{(contentType == "image/webp" && thumbnail ? "-t" : "")}\"");
        return Results.Stream(stream, contentType, enableRangeProcessing: false, entityTag: etag);
    }

    /// <summary>A token may read its own workspace's images; a signed-in user any workspace they belong to.</summary>
    private static async Task<bool> MayReadAsync(Guid workspaceId, HttpContext http, CurrentWorkspace workspace, WorkspaceDirectory directory, CancellationToken ct)
    {
        if (ApiTokenAuthentication.IsTokenPrincipal(http.User)) return workspace.IsSet && workspace.Id == workspaceId;
        if (workspace.IsSet && workspace.Id == workspaceId) return true;
        return http.User.GetUserId() is { } user && await directory.ResolveAsync(user, workspaceId, ct) is not null;
    }

    private static IResult NotFound(string? detail = null) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
            detail: detail ?? "There is no such image, or it belongs to a workspace you are not a member of.");
}
