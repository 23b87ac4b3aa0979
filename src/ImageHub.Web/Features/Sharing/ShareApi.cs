using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImageHub.Web.Features.Sharing;

public sealed record CreateShareBody(List<Guid>? ImageIds, Guid? BoardId, DateTimeOffset? ExpiresAt, string? Password, bool? AllowDownload, bool? ShowPrompt);

public sealed record ApiShareCreated(Guid Id, string Url, DateTimeOffset? ExpiresAt);

public sealed record ApiShare(
    Guid Id, string Url, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, bool Live,
    bool HasPassword, bool AllowDownload, bool ShowPrompt, Guid? BoardId, int Images, int Views, DateTimeOffset? LastViewedAt);

public sealed record ApiSharePage(IReadOnlyList<ApiShare> Items);

/// <summary><c>/api/v1/shares</c>: create, list and revoke public links.</summary>
public static class ShareApi
{
    public static IEndpointRouteBuilder MapShareApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/shares").RequireAuthorization(ApiPolicies.ApiUser).WithTags("Sharing")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPost("", CreateAsync).RequireScope(ApiScopes.Generate) // publishing content the token could read
            .WithSummary("Create a public link to some images (imageIds) or a board (boardId)")
            .WithDescription("Body: {imageIds | boardId, expiresAt?, password? (8+ characters), allowDownload?, showPrompt? (default false: metadata is stripped from the served files)}. The url holds the only copy of the token a client gets.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("", ListAsync).RequireScope(ApiScopes.Read).WithSummary("The workspace's links with their views");
        api.MapDelete("/{id:guid}", RevokeAsync).RequireScope(ApiScopes.Generate).WithSummary("Revoke a link: the page and its images answer 410 from now on").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static string Origin(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static async Task<Results<Created<ApiShareCreated>, ProblemHttpResult>> CreateAsync(CreateShareBody body, HttpContext http, ShareService shares, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } user) return Failure.Unauthorized("Sign in first.").ToProblem();
        var outcome = await shares.CreateAsync(user, http.Connection.RemoteIpAddress?.ToString(),
            new ShareDraft(body.ImageIds, body.BoardId, body.ExpiresAt, body.Password, body.AllowDownload ?? false, body.ShowPrompt ?? false), ct);
        if (outcome.Failure is { } f) return f.ToProblem();
        var created = outcome.Value!;
        return TypedResults.Created($"/api/v1/shares/{created.Id}", new ApiShareCreated(created.Id, Origin(http.Request) + SharePaths.Page(created.Token), created.ExpiresAt));
    }

    private static async Task<Ok<ApiSharePage>> ListAsync(HttpContext http, ShareService shares, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var origin = Origin(http.Request);
        return TypedResults.Ok(new ApiSharePage((await shares.ListAsync(ct)).Select(s => new ApiShare(
            s.Id, origin + s.Path, s.CreatedAt, s.CreatedBy, s.ExpiresAt, s.RevokedAt, s.IsLive(now), s.HasPassword, s.AllowDownload, s.ShowPrompt,
            s.BoardId, s.Images, s.Views, s.LastViewedAt)).ToList()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(Guid id, HttpContext http, ShareService shares, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } user) return Failure.Unauthorized("Sign in first.").ToProblem();
        var outcome = await shares.RevokeAsync(user, http.Connection.RemoteIpAddress?.ToString(), id, ct);
        return outcome.Failure is { } f ? f.ToProblem() : TypedResults.NoContent();
    }
}

public static class SharingExtensions
{
    /// <summary>The gallery's and the share links' services (Features/Gallery, Features/Sharing).</summary>
    public static IServiceCollection AddGalleryAndSharing(this IServiceCollection services)
    {
        services.AddOptions<Gallery.GalleryOptions>().BindConfiguration(Gallery.GalleryOptions.Section)
            .Validate(o => o.TrashRetention >= TimeSpan.Zero && o.TrashRetention <= TimeSpan.FromDays(3650),
                "Gallery:TrashRetention must be between 00:00:00 and 3650.00:00:00 (ten years).")
            .Validate(o => o.PurgeInterval >= TimeSpan.FromSeconds(1), "Gallery:PurgeInterval must be at least 00:00:01.")
            .ValidateOnStart();
        services.AddScoped<Gallery.GalleryService>();
        services.AddSingleton<Gallery.GalleryNotifier>();
        services.AddSingleton<Gallery.TrashPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<Gallery.TrashPurger>());
        services.AddScoped<ShareService>();
        services.AddSingleton<Gallery.IImageSharing, ShareDialogLauncher>();
        services.AddScoped<ShareAccess>();
        services.AddSingleton<ShareUnlockThrottle>();
        return services;
    }

    public static IEndpointRouteBuilder MapGalleryAndSharing(this IEndpointRouteBuilder app)
    {
        Gallery.GalleryApi.MapGalleryApi(app);
        app.MapShareApi();
        app.MapSharePublicEndpoints();
        return app;
    }
}
