using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using ImageHub.Sandbox.Imaging;
using ImageHub.Sandbox.Infrastructure;

namespace ImageHub.Sandbox.Coals;

internal sealed record CoalsGenerated(bool Success, string ImageId, string ImageUrl, int Width, int Height, int GenerationTimeMs, decimal CreditsCharged);

internal sealed record CoalsErrorDetail(string Code, string Message, IReadOnlyDictionary<string, List<string>>? Details = null);

internal sealed record CoalsError(bool Success, CoalsErrorDetail Error);

internal sealed record CoalsFlatError(string Error);

internal sealed record CoalsRateLimit(int Limit, int Remaining, long Reset);

internal sealed record CoalsQuota(decimal CreditsRemaining, decimal CreditsUsed, decimal CreditsPerGeneration, CoalsRateLimit RateLimit);

internal sealed record CoalsQuotaReply(bool Success, CoalsQuota Quota);

internal sealed record CoalsGalleryImage(string ImageId, string ImageUrl, string Prompt, int Width, int Height, DateTimeOffset CreatedAt);

internal sealed record CoalsPagination(int Page, int PerPage, int Total, int TotalPages);

internal sealed record CoalsGallery(bool Success, IReadOnlyList<CoalsGalleryImage> Images, CoalsPagination Pagination);

internal sealed record CoalsImageReply(bool Success, CoalsGalleryImage Image);

internal sealed record CoalsDeleted(bool Success, string ImageId, bool Deleted);

/// <summary>
/// Coals.ai GraphiCoal under <c>coals/api/v1/graphicoal/</c>. <c>POST generate</c> answers one object for
/// one image and an ARRAY for several. Charging: 2 credits per call whatever num_images is (the docs'
/// "2 credits per call"); in an array the first object carries credits_charged 2 and the others 0, so
/// summing, taking the first or the largest all give what was charged. Image URLs end in .webp as the
/// docs show, but the bytes are PNG (no WebP encoder here) served with an honest Content-Type: image/png.
/// Every response carries X-RateLimit-Limit/Remaining/Reset (60 per minute per key, reported, not enforced;
/// 429s come from the RateLimited fault).
/// </summary>
internal sealed class CoalsApi(SandboxState state, PngCache pngs, string prefix) : ProviderApi(state, pngs, prefix)
{
    private const decimal CreditsPerCall = 2;
    private const int RateLimitPerMinute = 60;
    private static readonly HashSet<string> FlatErrorOperations = ["quota", "images", "image", "delete", "file"];
    private readonly ConcurrentDictionary<string, (long Window, int Count)> windows = new(StringComparer.Ordinal);

    public override string Id => SandboxProviders.Coals;

    public override JsonSerializerOptions Json => WireJson.Snake;

    public override string? ReadKey(HttpRequest request) => Koala.KoalaApi.BearerToken(request);

    public override IResult Unauthorized(string operation, bool missing) => Error(operation, 401, "UNAUTHORIZED", missing
        ? "Missing API key. Send 'Authorization: Bearer <key>'."
        : "Invalid API key.");

    public override IResult RateLimited(string operation, int retryAfterSeconds) =>
        Results.Json(new CoalsError(false, new CoalsErrorDetail("RATE_LIMIT_EXCEEDED", $"Rate limit exceeded. Retry after {retryAfterSeconds} seconds.")), Json, statusCode: 429);

    public override IResult ServerError(string operation) => Error(operation, 500, "INTERNAL_ERROR", "An unexpected error occurred.");

    public override IResult TooLarge(string operation, string message) => Error(operation, 413, "PAYLOAD_TOO_LARGE", message);

    public override void OnRequest(HttpContext context, string? key)
    {
        var now = State.Time.GetUtcNow().ToUnixTimeSeconds();
        var window = now / 60;
        var (_, count) = windows.AddOrUpdate(key ?? "", (window, 1), (_, old) => old.Window == window ? (window, old.Count + 1) : (window, 1));
        var headers = context.Response.Headers;
        headers["X-RateLimit-Limit"] = RateLimitPerMinute.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = Math.Max(0, RateLimitPerMinute - count).ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = ((window + 1) * 60).ToString(CultureInfo.InvariantCulture);
    }

    public override void Map(RouteGroupBuilder group)
    {
        MapOperation(group, "POST", "api/v1/graphicoal/generate", "generate", Access.Submission, Generate);
        MapOperation(group, "GET", "api/v1/graphicoal/quota", "quota", Access.Key, Quota);
        MapOperation(group, "GET", "api/v1/graphicoal/images", "images", Access.Key, Gallery);
        MapOperation(group, "GET", "api/v1/graphicoal/images/{id}", "image", Access.Key, GetImageInfo);
        MapOperation(group, "DELETE", "api/v1/graphicoal/images/{id}", "delete", Access.Key, DeleteImage);
        MapOperation(group, "GET", "images/{id}.webp", "file", Access.PublicImage, GetImageFile);
    }

    private IResult Generate(HttpContext context)
    {
        var fields = RequestFields.Parse(Body(context), out var problem);
        if (fields is null)
        {
            return Error("generate", 400, "INVALID_REQUEST", problem!);
        }

        var prompt = fields.String("prompt");
        if (string.IsNullOrWhiteSpace(prompt) && !fields.Errors.ContainsKey("prompt"))
        {
            fields.Error("prompt", "The prompt field is required.");
        }
        else if (prompt is { Length: > 2000 })
        {
            fields.Error("prompt", $"The prompt may not be greater than 2000 characters (was {prompt.Length}).");
        }

        var width = Ranged(fields, "width", 256, 2048, 1024);
        var height = Ranged(fields, "height", 256, 2048, 1024);
        var count = Ranged(fields, "num_images", 1, 4, 1);
        if (!fields.IsValid)
        {
            return Results.Json(new CoalsError(false, new CoalsErrorDetail("VALIDATION_ERROR", "The given data was invalid.", fields.Errors)), Json, statusCode: 422);
        }

        var key = Key(context);
        if (key.Contains("noscope", StringComparison.OrdinalIgnoreCase))
        {
            return Error("generate", 403, "INSUFFICIENT_SCOPE", "This API key lacks the required scope: graphicoal:generate.");
        }

        var account = State.RawAccount(Id, key);
        if (!account.CanAfford(CreditsPerCall))
        {
            return Error("generate", 402, "INSUFFICIENT_CREDITS", $"Insufficient credits: generating costs {CreditsPerCall} credits and the balance is {account.Balance}.");
        }

        if (TaskFails(context))
        {
            account.TryAccept(0, prompt!);
            return Error("generate", 500, "GENERATION_FAILED", "Image generation failed. No credits were charged.");
        }

        if (!account.TryAccept(CreditsPerCall, prompt!))
        {
            return Error("generate", 402, "INSUFFICIENT_CREDITS", $"Insufficient credits: generating costs {CreditsPerCall} credits and the balance is {account.Balance}.");
        }

        var now = State.Time.GetUtcNow();
        var root = PublicRoot(context.Request);
        var seed = Random.Shared.NextInt64(1, int.MaxValue);
        var generated = new List<CoalsGenerated>(count);
        for (var i = 0; i < count; i++)
        {
            var image = new SandboxImage($"img_{WireJson.NewId(20)}", Id, key, prompt!, seed + i, width, height, now);
            State.Images[image.Id] = image;
            generated.Add(new CoalsGenerated(true, image.Id, $"{root}images/{image.Id}.webp", width, height,
                2000 + (width * height / 1000) + (i * 150), i == 0 ? CreditsPerCall : 0));
        }

        return count == 1 ? Results.Json(generated[0], Json) : Results.Json(generated, Json);
    }

    private IResult Quota(HttpContext context)
    {
        var account = State.RawAccount(Id, Key(context));
        var headers = context.Response.Headers;
        var rate = new CoalsRateLimit(RateLimitPerMinute, int.Parse(headers["X-RateLimit-Remaining"].ToString(), CultureInfo.InvariantCulture),
            long.Parse(headers["X-RateLimit-Reset"].ToString(), CultureInfo.InvariantCulture));
        return Results.Json(new CoalsQuotaReply(true, new CoalsQuota(account.Balance, account.CreditsCharged, CreditsPerCall, rate)), Json);
    }

    private IResult Gallery(HttpContext context)
    {
        var query = context.Request.Query;
        var page = 1;
        var perPage = 20;
        if (query.ContainsKey("page") && (!int.TryParse(query["page"], CultureInfo.InvariantCulture, out page) || page < 1))
        {
            return Error("images", 400, "INVALID_REQUEST", "page must be a whole number of at least 1.");
        }

        if (query.ContainsKey("per_page") && (!int.TryParse(query["per_page"], CultureInfo.InvariantCulture, out perPage) || perPage is < 1 or > 100))
        {
            return Error("images", 400, "INVALID_REQUEST", "per_page must be a whole number between 1 and 100.");
        }

        var key = Key(context);
        var root = PublicRoot(context.Request);
        var mine = State.Images.Values
            .Where(i => i.Provider == Id && i.Key == key && !i.Deleted)
            .OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id, StringComparer.Ordinal)
            .ToList();
        var items = mine.Skip((page - 1) * perPage).Take(perPage).Select(i => Describe(i, root)).ToList();
        var pages = (mine.Count + perPage - 1) / perPage;
        return Results.Json(new CoalsGallery(true, items, new CoalsPagination(page, perPage, mine.Count, pages)), Json);
    }

    private IResult GetImageInfo(HttpContext context, string id) =>
        Find(context, id) is { } image
            ? Results.Json(new CoalsImageReply(true, Describe(image, PublicRoot(context.Request))), Json)
            : Error("image", 404, "NOT_FOUND", "Image not found.");

    private IResult DeleteImage(HttpContext context, string id)
    {
        if (Find(context, id) is not { } image)
        {
            return Error("delete", 404, "NOT_FOUND", "Image not found.");
        }

        image.Deleted = true;
        return Results.Json(new CoalsDeleted(true, image.Id, true), Json);
    }

    // The docs promise WebP; these are PNG bytes, and the Content-Type says so.
    private IResult GetImageFile(string id) =>
        State.Images.TryGetValue(id, out var image) && image.Provider == Id && !image.Deleted
            ? Png(image)
            : Error("file", 404, "NOT_FOUND", "Image not found.");

    private SandboxImage? Find(HttpContext context, string id) =>
        State.Images.TryGetValue(id, out var image) && image.Provider == Id && image.Key == Key(context) && !image.Deleted ? image : null;

    private static CoalsGalleryImage Describe(SandboxImage image, string root) =>
        new(image.Id, $"{root}images/{image.Id}.webp", image.Prompt, image.Width, image.Height, image.CreatedAt);

    private static int Ranged(RequestFields fields, string name, int min, int max, int fallback)
    {
        var value = fields.Int(name);
        if (value is { } v && (v < min || v > max))
        {
            fields.Error(name, $"The {name} must be between {min} and {max} (was {v}).");
        }

        return value ?? fallback;
    }

    private IResult Error(string operation, int status, string code, string message) =>
        FlatErrorOperations.Contains(operation)
            ? Results.Json(new CoalsFlatError(message), Json, statusCode: status)
            : Results.Json(new CoalsError(false, new CoalsErrorDetail(code, message)), Json, statusCode: status);
}
