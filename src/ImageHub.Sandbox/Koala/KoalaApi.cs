using System.Text.Json;
using ImageHub.Sandbox.Imaging;
using ImageHub.Sandbox.Infrastructure;

namespace ImageHub.Sandbox.Koala;

/// <summary>A model Koala offers, with its price in credits per image (by quality where it has qualities).</summary>
internal sealed record KoalaModel(string Id, decimal Credits, bool RequiresProfessionalPlan, IReadOnlyDictionary<string, decimal>? CreditsByQuality = null, string? DefaultQuality = null);

/// <summary>Koala's reply: one object per image.</summary>
internal sealed record KoalaImageReply(string Url, string Alt);

internal sealed record KoalaError(string Error);

/// <summary>
/// KoalaImages: <c>POST api/image-generation/</c> answers at once with URLs whose GET blocks until the
/// image is ready. Errors are <c>{"error": "..."}</c> (the real shape is not documented).
/// Credits per image: standard 1, premium 5, gpt-image-2 1/8/20 (fast/medium/high, default medium),
/// ideogram-3.0 3, nano-banana-2 5. premium and nano-banana-2 need the Professional plan: a key
/// containing "noplan" gets 403 for them.
/// </summary>
internal sealed class KoalaApi(SandboxState state, PngCache pngs, string prefix) : ProviderApi(state, pngs, prefix)
{
    public static IReadOnlyList<string> Styles { get; } = ["photo", "illustration", "watercolor", "fantasy", "anime", "3d", "isometric", "none"];

    public static IReadOnlyList<string> Sizes { get; } = ["1024x1024", "1152x896", "1216x832", "1344x768", "1536x640", "640x1536", "768x1344", "832x1216", "896x1152"];

    public static IReadOnlyList<KoalaModel> Models { get; } =
    [
        new("standard", 1, false),
        new("premium", 5, true),
        new("gpt-image-2", 8, false, new Dictionary<string, decimal> { ["fast"] = 1, ["medium"] = 8, ["high"] = 20 }, "medium"),
        new("ideogram-3.0", 3, false),
        new("nano-banana-2", 5, true),
    ];

    public override string Id => SandboxProviders.Koala;

    public override JsonSerializerOptions Json => WireJson.Camel;

    public override string? ReadKey(HttpRequest request) => BearerToken(request);

    public override IResult Unauthorized(string operation, bool missing) => Error(401, missing
        ? "Missing API key. Send it as 'Authorization: Bearer <key>'."
        : "Invalid API key.");

    public override IResult RateLimited(string operation, int retryAfterSeconds) =>
        Error(429, $"Rate limit exceeded. Try again in {retryAfterSeconds} seconds.");

    public override IResult ServerError(string operation) => Error(500, "Internal server error.");

    public override IResult TooLarge(string operation, string message) => Error(413, message);

    public override void Map(RouteGroupBuilder group)
    {
        MapOperation(group, "POST", "api/image-generation", "generate", Access.Submission, Generate);
        MapOperation(group, "GET", "images/{id}.png", "image", Access.PublicImage, GetImage);
    }

    internal static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }

    private IResult Generate(HttpContext context)
    {
        var fields = RequestFields.Parse(Body(context), out var problem);
        if (fields is null)
        {
            return Error(400, problem!);
        }

        var prompt = fields.String("prompt");
        if (!fields.Errors.ContainsKey("prompt") && string.IsNullOrWhiteSpace(prompt))
        {
            fields.Error("prompt", "prompt is required.");
        }

        var style = fields.String("style") ?? "photo";
        if (!Styles.Contains(style))
        {
            fields.Error("style", $"style '{style}' is not one of: {string.Join(", ", Styles)}.");
        }

        var size = fields.String("size") ?? "1024x1024";
        if (!Sizes.Contains(size))
        {
            fields.Error("size", $"size '{size}' is not one of: {string.Join(", ", Sizes)}.");
        }

        var count = fields.Int("numImages") ?? 1;
        if (count is < 1 or > 4)
        {
            fields.Error("numImages", $"numImages must be between 1 and 4 (was {count}).");
        }

        var modelId = fields.String("model") ?? "standard";
        var model = Models.FirstOrDefault(m => m.Id == modelId);
        if (model is null)
        {
            fields.Error("model", $"model '{modelId}' is not one of: {string.Join(", ", Models.Select(m => m.Id))}.");
        }

        var quality = fields.String("quality");
        var perImage = model?.Credits ?? 0;
        if (model?.CreditsByQuality is { } prices)
        {
            quality ??= model.DefaultQuality!;
            if (prices.TryGetValue(quality, out var price))
            {
                perImage = price;
            }
            else
            {
                fields.Error("quality", $"quality '{quality}' is not one of: {string.Join(", ", prices.Keys)} for {model.Id}.");
            }
        }

        if (!fields.IsValid)
        {
            return Error(400, fields.Summary());
        }

        var key = Key(context);
        if (model!.RequiresProfessionalPlan && key.Contains("noplan", StringComparison.OrdinalIgnoreCase))
        {
            return Error(403, $"The {model.Id} model requires the Professional plan.");
        }

        var cost = perImage * count;
        var account = State.RawAccount(Id, key);
        if (!account.TryAccept(cost, prompt!))
        {
            return Error(402, $"Insufficient credits: {count} {model.Id} image(s) cost {cost} credits and the balance is {account.Balance}.");
        }

        var now = State.Time.GetUtcNow();
        var (width, height) = ParseSize(size);
        var fails = TaskFails(context);
        var styleSeed = Styles.ToList().IndexOf(style) * 1000L;
        var root = PublicRoot(context.Request);
        var replies = new List<KoalaImageReply>(count);
        for (var i = 0; i < count; i++)
        {
            var image = new SandboxImage($"v2-{WireJson.NewId(12)}", Id, key, prompt!, styleSeed + i, width, height, now)
            {
                ReadyAt = now + State.Options.KoalaReadyDelay,
                Fails = fails,
            };
            State.Images[image.Id] = image;
            replies.Add(new KoalaImageReply($"{root}images/{image.Id}.png?width={width}&height={height}", $"{Capitalise(style)} image of {prompt}"));
        }

        return Results.Json(replies, Json);
    }

    private async Task<IResult> GetImage(HttpContext context, string id)
    {
        if (!State.Images.TryGetValue(id, out var image) || image.Provider != Id)
        {
            return Error(404, "Image not found.");
        }

        var wait = image.ReadyAt - State.Time.GetUtcNow();
        if (wait > TimeSpan.Zero && !await SandboxEndpointFilter.DelayAsync(context, State.Time, wait))
        {
            return Results.Empty; // the client gave up (or the host is stopping)
        }

        return image.Fails ? Error(500, "Image generation failed.") : Png(image);
    }

    private static (int Width, int Height) ParseSize(string size)
    {
        var parts = size.Split('x');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private IResult Error(int status, string message) => Results.Json(new KoalaError(message), Json, statusCode: status);
}
