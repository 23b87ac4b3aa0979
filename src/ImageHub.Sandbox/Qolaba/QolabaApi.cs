using System.Text.Json;
using System.Text.Json.Serialization;
using ImageHub.Sandbox.Imaging;
using ImageHub.Sandbox.Infrastructure;

namespace ImageHub.Sandbox.Qolaba;

internal sealed record QolabaModel(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("capabilities")] IReadOnlyList<string> Capabilities,
    [property: JsonPropertyName("imageSize")] IReadOnlyList<string> ImageSize,
    [property: JsonPropertyName("quality")] IReadOnlyList<string> Quality,
    [property: JsonPropertyName("quality_pricing")] IReadOnlyDictionary<string, decimal> QualityPricing,
    [property: JsonPropertyName("outputFormat")] IReadOnlyList<string> OutputFormat,
    [property: JsonPropertyName("maxNumImages")] int MaxNumImages,
    [property: JsonPropertyName("defaultNumImages")] int DefaultNumImages,
    [property: JsonPropertyName("maxReferenceImages")] int MaxReferenceImages,
    [property: JsonPropertyName("supportsSeed")] bool SupportsSeed);

internal sealed record QolabaModelList(IReadOnlyList<QolabaModel> Models);

internal sealed record QolabaImage(string Url, int Width, int Height, string ContentType);

internal sealed record QolabaUsage(int ImagesGenerated, decimal CostUsd, decimal CostCredits);

/// <summary>The synchronous 200 body; also a SUCCESS task's <c>output</c>.</summary>
internal sealed record QolabaResult(string TaskId, string? Prompt, long? Seed, IReadOnlyList<QolabaImage> Images, QolabaUsage Usage);

internal sealed record QolabaAccepted(string TaskId, string Status, string Type);

internal sealed record QolabaTaskReply(string TaskId, string Status, string Type, QolabaResult? Output, string? Error, string? ErrorDetail, DateTimeOffset CreatedAt);

internal sealed record QolabaError(
    string Error,
    string? Message = null,
    [property: JsonPropertyName("retryAfter")] int? RetryAfter = null,
    IReadOnlyDictionary<string, List<string>>? Details = null);

/// <summary>
/// Qolaba: <c>POST api/v1/images/generate</c>, synchronous (200 with images and usage) or a celery task
/// (202 PENDING) polled on <c>GET api/v1/tasks/{id}</c>: PENDING, PROCESSING, SUCCESS (result in
/// <c>output</c>, the sync shape) or FAILED. Accepts both <c>X-API-Key</c> and <c>Authorization: Bearer</c>.
/// cost_credits = quality_pricing[quality] / 0.005 x images. A task is charged when accepted, unless it
/// is going to fail (TaskFails), in which case nothing is charged.
/// </summary>
internal sealed class QolabaApi(SandboxState state, PngCache pngs, string prefix) : ProviderApi(state, pngs, prefix)
{
    private const decimal UsdPerCredit = 0.005m;
    private static readonly IReadOnlyList<string> NanoBananaRatios = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9", "5:4", "4:5"];
    private static readonly IReadOnlyList<string> ImagenRatios = ["1:1", "16:9", "9:16", "4:3", "3:4"];

    public static IReadOnlyList<QolabaModel> Models { get; } =
    [
        new("vertex/nano-banana-flash", "Nano Banana (Gemini 2.5 Flash Image)", "vertex", ["text-to-image", "image-to-image", "multi-reference"],
            NanoBananaRatios, ["1K"], new Dictionary<string, decimal> { ["1K"] = 0.03m }, ["png"], 4, 1, 14, false),
        new("vertex/nano-banana-pro", "Nano Banana Pro (Gemini 3 Pro Image)", "vertex", ["text-to-image", "image-to-image", "multi-reference"],
            NanoBananaRatios, ["1K", "2K", "4K"], new Dictionary<string, decimal> { ["1K"] = 0.135m, ["2K"] = 0.135m, ["4K"] = 0.24m }, ["png"], 4, 1, 14, false),
        new("vertex/imagen-4", "Imagen 4", "vertex", ["text-to-image"],
            ImagenRatios, ["1K", "2K"], new Dictionary<string, decimal> { ["1K"] = 0.04m, ["2K"] = 0.04m }, ["png"], 4, 1, 0, true),
        new("vertex/imagen-4-fast", "Imagen 4 Fast", "vertex", ["text-to-image"],
            ImagenRatios, ["1K"], new Dictionary<string, decimal> { ["1K"] = 0.02m }, ["png"], 4, 1, 0, true),
        new("vertex/imagen-4-ultra", "Imagen 4 Ultra", "vertex", ["text-to-image"],
            ImagenRatios, ["1K", "2K"], new Dictionary<string, decimal> { ["1K"] = 0.06m, ["2K"] = 0.06m }, ["png"], 1, 1, 0, true),
    ];

    public override string Id => SandboxProviders.Qolaba;

    public override JsonSerializerOptions Json => WireJson.Snake;

    public override string? ReadKey(HttpRequest request)
    {
        var apiKey = request.Headers["X-API-Key"].ToString();
        return !string.IsNullOrWhiteSpace(apiKey) ? apiKey.Trim() : Koala.KoalaApi.BearerToken(request);
    }

    public override IResult Unauthorized(string operation, bool missing) => Error(401, "Unauthorized", missing
        ? "Missing API key. Send 'X-API-Key: <key>' or 'Authorization: Bearer <key>'."
        : "Invalid API key.");

    /// <summary>Qolaba documents its 429 with a <c>retryAfter</c> field in the body, and no header.</summary>
    public override bool SendsRetryAfterHeader => false;

    public override IResult RateLimited(string operation, int retryAfterSeconds) =>
        Results.Json(new QolabaError("Rate Limited", $"Too many requests. Retry after {retryAfterSeconds} seconds.", retryAfterSeconds), Json, statusCode: 429);

    public override IResult ServerError(string operation) => Error(500, "Internal Server Error", "Unexpected server-side failure.");

    public override IResult TooLarge(string operation, string message) => Error(413, "Payload Too Large", message);

    public override void Map(RouteGroupBuilder group)
    {
        MapOperation(group, "POST", "api/v1/images/generate", "generate", Access.Submission, Generate);
        MapOperation(group, "GET", "api/v1/tasks/{id}", "status", Access.Key, GetTask);
        MapOperation(group, "GET", "api/v1/images/models", "models", Access.Key, (HttpContext _) => Results.Json(new QolabaModelList(Models), Json));
        MapOperation(group, "GET", "files/{id}.png", "image", Access.PublicImage, GetImage);
    }

    private IResult Generate(HttpContext context)
    {
        var fields = RequestFields.Parse(Body(context), out var problem);
        if (fields is null)
        {
            return Error(400, "Bad Request", problem!);
        }

        var modelId = fields.String("model");
        var model = Models.FirstOrDefault(m => m.Id == modelId);
        if (string.IsNullOrWhiteSpace(modelId))
        {
            if (!fields.Errors.ContainsKey("model"))
            {
                fields.Error("model", "model is required.");
            }
        }
        else if (model is null)
        {
            fields.Error("model", $"model '{modelId}' is not supported. Supported: {string.Join(", ", Models.Select(m => m.Id))}.");
        }

        var prompt = fields.String("prompt");
        if (string.IsNullOrWhiteSpace(prompt) && !fields.Errors.ContainsKey("prompt"))
        {
            fields.Error("prompt", "prompt is required for text-to-image models.");
        }
        else if (prompt is { Length: > 4000 })
        {
            fields.Error("prompt", $"prompt must be at most 4000 characters (was {prompt.Length}).");
        }

        var negative = fields.String("negative_prompt");
        if (negative is { Length: > 2000 })
        {
            fields.Error("negative_prompt", $"negative_prompt must be at most 2000 characters (was {negative.Length}).");
        }

        var celery = fields.Bool("celery") ?? false;
        var count = fields.Int("num_images") ?? model?.DefaultNumImages ?? 1;
        if (count is < 1 or > 10)
        {
            fields.Error("num_images", $"num_images must be between 1 and 10 (was {count}).");
        }
        else if (model is not null && count > model.MaxNumImages)
        {
            fields.Error("num_images", $"{model.Id} generates at most {model.MaxNumImages} image(s) per request (num_images was {count}).");
        }

        var seed = fields.Long("seed");
        CheckRange(fields, "num_inference_steps", fields.Int("num_inference_steps"), 1, 150);
        CheckRange(fields, "guidance_scale", fields.Number("guidance_scale"), 0, 30);
        CheckRange(fields, "temperature", fields.Number("temperature"), 0, 2);

        var references = fields.Array("reference_images");
        if (references is not null)
        {
            if (references.Count > 14)
            {
                fields.Error("reference_images", $"reference_images accepts at most 14 images (was {references.Count}).");
            }
            else if (model is not null && references.Count > model.MaxReferenceImages)
            {
                fields.Error("reference_images", model.MaxReferenceImages == 0
                    ? $"{model.Id} does not accept reference_images."
                    : $"{model.Id} accepts at most {model.MaxReferenceImages} reference images.");
            }

            if (references.Any(r => r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String))
            {
                fields.Error("reference_images", "each reference_images item must be an object with a string url.");
            }
        }

        var imageUrls = fields.StringArray("image_urls");
        if (imageUrls is { Count: > 0 } && model is not null && !model.Capabilities.Contains("image-to-image"))
        {
            fields.Error("image_urls", $"{model.Id} does not accept image_urls (text-to-image only).");
        }

        if (fields.String("mask_url") is not null)
        {
            fields.Error("mask_url", "mask_url is only supported by FLUX inpainting models.");
        }

        var ratio = fields.String("aspect_ratio") ?? "1:1";
        if (model is not null && !model.ImageSize.Contains(ratio))
        {
            fields.Error("aspect_ratio", $"aspect_ratio '{ratio}' is not supported by {model.Id}. Allowed: {string.Join(", ", model.ImageSize)}.");
        }

        var quality = fields.String("quality") ?? model?.Quality[0];
        if (model is not null && quality is not null && !model.Quality.Contains(quality))
        {
            fields.Error("quality", $"quality '{quality}' is not supported by {model.Id}. Allowed: {string.Join(", ", model.Quality)}.");
        }

        if (!fields.IsValid)
        {
            return Results.Json(new QolabaError("Bad Request", fields.Summary(), Details: fields.Errors), Json, statusCode: 400);
        }

        var usd = model!.QualityPricing[quality!] * count;
        var credits = usd / UsdPerCredit;
        var key = Key(context);
        var fails = TaskFails(context);
        var account = State.RawAccount(Id, key);
        if (!account.CanAfford(credits) || !account.TryAccept(fails ? 0 : credits, prompt!))
        {
            return Error(402, "Insufficient credits", $"This request costs {credits} credits (${usd}) and the balance is {account.Balance} credits.");
        }

        var now = State.Time.GetUtcNow();
        var taskId = $"task_{now.ToUnixTimeMilliseconds()}_{WireJson.NewId(6)}";
        var usedSeed = seed ?? Random.Shared.NextInt64(1, int.MaxValue);
        var longSide = quality switch { "2K" => 1536, "4K" => 2048, _ => 1024 };
        var (width, height) = SizeForAspectRatio(ratio, longSide);
        var root = PublicRoot(context.Request);
        var images = new List<QolabaImage>(count);
        for (var i = 0; i < count; i++)
        {
            var image = new SandboxImage($"{taskId}_{i}", Id, key, prompt!, usedSeed + i, width, height, now);
            State.Images[image.Id] = image;
            images.Add(new QolabaImage($"{root}files/{image.Id}.png", width, height, "image/png"));
        }

        var result = new QolabaResult(taskId, prompt, model.SupportsSeed ? usedSeed : null, images, new QolabaUsage(count, usd, credits));
        if (celery)
        {
            State.QolabaTasks[taskId] = new QolabaTask(taskId, key, now, result, fails);
            return Results.Json(new QolabaAccepted(taskId, "PENDING", "image"), Json, statusCode: 202);
        }

        if (fails)
        {
            return Error(500, "Internal Server Error", "Generation failed: the model returned no image.");
        }

        State.QolabaTasks[taskId] = new QolabaTask(taskId, key, now, result, fails: false, finished: true); // a sync task can be read back too
        return Results.Json(result, Json);
    }

    private IResult GetTask(HttpContext context, string id)
    {
        if (!State.QolabaTasks.TryGetValue(id, out var task) || task.Key != Key(context))
        {
            return Error(404, "Not Found", $"Task '{id}' was not found.");
        }

        var stage = task.Poll(State.Time.GetUtcNow(), State.Options.QolabaTaskStepDelay);
        var reply = stage switch
        {
            0 => new QolabaTaskReply(task.Id, "PENDING", "image", null, null, null, task.CreatedAt),
            1 => new QolabaTaskReply(task.Id, "PROCESSING", "image", null, null, null, task.CreatedAt),
            _ when task.Fails => new QolabaTaskReply(task.Id, "FAILED", "image", null, "Generation failed",
                "The model returned no image (sandbox TaskFails fault). No credits were charged.", task.CreatedAt),
            _ => new QolabaTaskReply(task.Id, "SUCCESS", "image", task.Output, null, null, task.CreatedAt),
        };
        return Results.Json(reply, Json);
    }

    private IResult GetImage(string id) =>
        State.Images.TryGetValue(id, out var image) && image.Provider == Id
            ? Png(image)
            : Error(404, "Not Found", "Image not found.");

    private static void CheckRange(RequestFields fields, string name, decimal? value, decimal min, decimal max)
    {
        if (value is { } v && (v < min || v > max))
        {
            fields.Error(name, $"{name} must be between {min} and {max} (was {v}).");
        }
    }

    private IResult Error(int status, string error, string message) =>
        Results.Json(new QolabaError(error, message), Json, statusCode: status);
}
