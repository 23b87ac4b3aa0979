using System.Text.Json;
using ImageHub.Sandbox.Imaging;
using ImageHub.Sandbox.Infrastructure;

namespace ImageHub.Sandbox.Kolbo;

/// <summary>
/// A Kolbo model. <c>credits</c> repeats <c>credit</c> because the docs' own sample code reads <c>m.credits</c>.
/// Kolbo documents <c>types</c> but not its values: the sandbox serves values no client could guess (never
/// "image"), and filters <c>?type=</c> on its own <see cref="Kind"/>, as the real server does on whatever it keeps.
/// </summary>
internal sealed record KolboModel(string Identifier, string Name, string Provider, IReadOnlyList<string> Types, decimal Credit,
    IReadOnlyList<string> SupportedAspectRatios, int MaxReferenceImages, bool Recommended, string Description,
    [property: System.Text.Json.Serialization.JsonIgnore] string Kind = "image")
{
    public decimal Credits => Credit;
}

internal sealed record KolboModelList(bool Success, IReadOnlyList<KolboModel> Models, int Count);

internal sealed record KolboStarted(bool Success, string GenerationId, string Type, string Model, decimal CreditsCharged, string PollUrl, int PollIntervalHint);

internal sealed record KolboResult(IReadOnlyList<string> Urls, string Model, string PromptUsed, DateTimeOffset CreatedAt);

internal sealed record KolboStatus(bool Success, string GenerationId, string Type, string State, int Progress, KolboResult? Result, string? Error, decimal? CreditsRefunded);

internal sealed record KolboError(bool Success, string Error, string Code);

internal sealed record KolboRateLimited(bool Status, string Message);

internal sealed record KolboCredits(decimal Total, decimal PlanCredits, decimal CreditPack, decimal Redemption);

internal sealed record KolboCreditsReply(bool Success, KolboCredits Credits);

internal sealed record KolboMoodboard(string Id, string Name, string Description, string MasterPrompt, DateTimeOffset CreatedAt);

internal sealed record KolboMoodboardList(bool Success, IReadOnlyList<KolboMoodboard> Moodboards, int Count);

internal sealed record KolboVisualDna(string Id, string Name, string Type, string Description, DateTimeOffset CreatedAt);

internal sealed record KolboVisualDnaList(bool Success, IReadOnlyList<KolboVisualDna> VisualDnas, int Count);

/// <summary>
/// Kolbo under <c>kolbo/api/</c>: <c>POST v1/generate/image</c> charges credit x num_images at once and
/// answers a generation id and a poll_url (the seed's "/v1/generate/{id}/status", joined to the base; a
/// key containing "apipath" gets the newer host-absolute form "{mount}/api/v1/generate/{id}/status").
/// The status goes processing (10, 40, 70%) then completed; a failed generation is refunded, and so is a
/// cancelled one. Smart Select (no model) reports model "auto" at 2 credits per image, as the docs' sample does.
/// </summary>
internal sealed class KolboApi(SandboxState state, PngCache pngs, string prefix) : ProviderApi(state, pngs, prefix)
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 15, 9, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<string> WideRatios = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9"];
    private static readonly IReadOnlyList<string> BasicRatios = ["1:1", "16:9", "9:16", "4:3", "3:4"];
    /// <summary>Undocumented values, deliberately unlike any guess ("image", "text-to-image", "txt2img").</summary>
    private static readonly IReadOnlyList<string> ImageTypes = ["kx.still/gen", "kx.still/edit"];
    private static readonly IReadOnlyList<string> ClipTypes = ["kx.motion/gen"];
    private static readonly KolboModel SmartSelect = new("auto", "Smart Select", "Kolbo", ImageTypes, 2, WideRatios, 4, false, "Kolbo picks the best model for the prompt.");

    public static IReadOnlyList<KolboModel> Models { get; } =
    [
        new("nano-banana-2", "Nano Banana 2", "Google", ImageTypes, 8, WideRatios, 14, true, "Fast, faithful, great with text."),
        new("nano-banana-pro", "Nano Banana Pro", "Google", ImageTypes, 15, WideRatios, 14, false, "Highest fidelity Gemini image model."),
        new("nano-banana-2/4k", "Nano Banana 2 (4K)", "Google", ImageTypes, 16, WideRatios, 14, false, "Nano Banana 2 at 4K."),
        new("flux-2-pro", "FLUX.2 Pro", "Black Forest Labs", ImageTypes, 6, BasicRatios, 4, false, "Photorealism."),
        new("ideogram-v3", "Ideogram 3.0", "Ideogram", ["kx.still/gen"], 10, WideRatios, 0, false, "Typography and design."),
        new("kling-2.5-turbo", "Kling 2.5 Turbo", "Kuaishou", ClipTypes, 40, ["16:9", "9:16", "1:1"], 1, false, "Text and image to video.", Kind: "video"),
    ];

    public static IReadOnlyList<KolboMoodboard> Moodboards { get; } =
    [
        new("6601a1b2c3d4e5f6a7b8c9d0", "Nordic minimal", "Soft daylight, pale wood, muted colours.", "Scandinavian minimalism, soft daylight, muted palette", Epoch),
        new("6601a1b2c3d4e5f6a7b8c9d1", "Neon noir", "Wet streets, neon, high contrast.", "neon-lit night, rain-soaked streets, cinematic contrast", Epoch.AddDays(3)),
    ];

    public static IReadOnlyList<KolboVisualDna> VisualDnas { get; } =
    [
        new("vdna_mila", "Mila", "character", "A red-haired woman in her thirties.", Epoch),
        new("vdna_sneaker", "Aero sneaker", "product", "A white running shoe with an orange sole.", Epoch.AddDays(1)),
        new("vdna_rex", "Rex", "character", "A scruffy terrier.", Epoch.AddDays(2)),
        new("vdna_mug", "Studio mug", "product", "A matte black ceramic mug.", Epoch.AddDays(4)),
    ];

    public override string Id => SandboxProviders.Kolbo;

    public override JsonSerializerOptions Json => WireJson.Snake;

    public override string? ReadKey(HttpRequest request)
    {
        var key = request.Headers["X-API-Key"].ToString();
        return string.IsNullOrWhiteSpace(key) ? null : key.Trim();
    }

    public override IResult Unauthorized(string operation, bool missing) => Error(401, "INVALID_API_KEY", missing
        ? "Missing API key. Send it in the X-API-Key header."
        : "Invalid API key.");

    public override IResult RateLimited(string operation, int retryAfterSeconds) =>
        Results.Json(new KolboRateLimited(false, $"Too many requests, please try again in {retryAfterSeconds} seconds."), Json, statusCode: 429);

    public override IResult ServerError(string operation) => Error(500, "INTERNAL_ERROR", "Internal server error.");

    public override IResult TooLarge(string operation, string message) => Error(413, "PAYLOAD_TOO_LARGE", message);

    public override void Map(RouteGroupBuilder group)
    {
        MapOperation(group, "POST", "api/v1/generate/image", "generate", Access.Submission, Generate);
        MapOperation(group, "GET", "api/v1/generate/{id}/status", "status", Access.Key, Status);
        MapOperation(group, "POST", "api/v1/generate/{id}/cancel", "cancel", Access.Key, Cancel);
        MapOperation(group, "GET", "api/v1/models", "models", Access.Key, ListModels);
        MapOperation(group, "GET", "api/v1/moodboards", "moodboards", Access.Key, () => Results.Json(new KolboMoodboardList(true, Moodboards, Moodboards.Count), Json));
        MapOperation(group, "GET", "api/v1/visual-dna", "visual-dna", Access.Key, () => Results.Json(new KolboVisualDnaList(true, VisualDnas, VisualDnas.Count), Json));
        MapOperation(group, "GET", "api/v1/account/credits", "credits", Access.Key, Credits);
        MapOperation(group, "GET", "cdn/{id}.png", "image", Access.PublicImage, GetImage);
    }

    private IResult ListModels(HttpContext context)
    {
        var type = context.Request.Query["type"].ToString();
        if (type.Length > 0 && type is not ("image" or "video"))
        {
            return Error(400, "INVALID_REQUEST", $"type '{type}' is not one of: image, video.");
        }

        var models = Models.Where(m => type.Length == 0 || m.Kind == type).ToList();
        return Results.Json(new KolboModelList(true, models, models.Count), Json);
    }

    private IResult Generate(HttpContext context)
    {
        var fields = RequestFields.Parse(Body(context), out var problem);
        if (fields is null)
        {
            return Error(400, "INVALID_REQUEST", problem!);
        }

        var prompt = fields.String("prompt");
        if (string.IsNullOrWhiteSpace(prompt) && !fields.Errors.ContainsKey("prompt"))
        {
            return Error(400, "MISSING_FIELDS", "Missing required fields: prompt.");
        }

        var modelId = fields.String("model");
        var model = modelId is null ? SmartSelect : Models.FirstOrDefault(m => m.Identifier == modelId && m.Kind == "image");
        if (model is null)
        {
            return Error(400, "MODEL_NOT_FOUND", $"Model '{modelId}' not found. List image models with GET /api/v1/models?type=image.");
        }

        var ratio = fields.String("aspect_ratio") ?? "1:1";
        if (!model.SupportedAspectRatios.Contains(ratio))
        {
            fields.Error("aspect_ratio", $"aspect_ratio '{ratio}' is not supported by {model.Identifier}. Supported: {string.Join(", ", model.SupportedAspectRatios)}.");
        }

        var enhance = fields.Bool("enhance_prompt") ?? true;
        var count = fields.Int("num_images") ?? 1;
        if (count is < 1 or > 4)
        {
            fields.Error("num_images", $"num_images must be between 1 and 4 (was {count}).");
        }

        var references = fields.StringArray("reference_images") ?? [];
        if (references.Count > model.MaxReferenceImages)
        {
            fields.Error("reference_images", model.MaxReferenceImages == 0
                ? $"{model.Identifier} does not accept reference_images."
                : $"{model.Identifier} accepts at most {model.MaxReferenceImages} reference images (got {references.Count}).");
        }

        var dnaIds = fields.StringArray("visual_dna_ids") ?? [];
        if (dnaIds.Count > 3)
        {
            fields.Error("visual_dna_ids", $"visual_dna_ids accepts at most 3 ids (got {dnaIds.Count}).");
        }
        else if (dnaIds.FirstOrDefault(id => VisualDnas.All(v => v.Id != id)) is { } unknownDna)
        {
            fields.Error("visual_dna_ids", $"Visual DNA '{unknownDna}' not found. List them with GET /api/v1/visual-dna.");
        }

        var moodboardId = fields.String("moodboard_id");
        var moodboard = moodboardId is null ? null : Moodboards.FirstOrDefault(m => m.Id == moodboardId);
        if (moodboardId is not null && moodboard is null)
        {
            fields.Error("moodboard_id", $"Moodboard '{moodboardId}' not found. List them with GET /api/v1/moodboards.");
        }

        if (!fields.IsValid)
        {
            return Error(400, "INVALID_REQUEST", fields.Summary());
        }

        var cost = model.Credit * count;
        var key = Key(context);
        var account = State.RawAccount(Id, key);
        if (!account.TryAccept(cost, prompt!))
        {
            return Error(400, "INSUFFICIENT_CREDITS", $"Insufficient credits: this generation needs {cost} credits and the balance is {account.Balance}.");
        }

        var now = State.Time.GetUtcNow();
        var generationId = WireJson.NewId(24);
        var longSide = model.Identifier.EndsWith("/4k", StringComparison.Ordinal) ? 2048 : 1024;
        var (width, height) = SizeForAspectRatio(ratio, longSide);
        var promptUsed = string.Join(", ", new[] { moodboard?.MasterPrompt, prompt, enhance ? "highly detailed, balanced composition, soft natural light" : null }.Where(p => p is not null));
        var imageIds = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var image = new SandboxImage($"{generationId}_{i}", Id, key, promptUsed, i, width, height, now);
            State.Images[image.Id] = image;
            imageIds.Add(image.Id);
        }

        State.KolboGenerations[generationId] = new KolboGeneration(generationId, key, model.Identifier, promptUsed, cost, imageIds, now, TaskFails(context));
        var pollUrl = key.Contains("apipath", StringComparison.OrdinalIgnoreCase)
            ? $"{MountPath(context.Request)}/api/v1/generate/{generationId}/status"
            : $"/v1/generate/{generationId}/status";
        var hint = (int)Math.Max(1, Math.Ceiling(State.Options.KolboStepDelay.TotalSeconds));
        return Results.Json(new KolboStarted(true, generationId, "image", model.Identifier, cost, pollUrl, hint), Json);
    }

    private IResult Status(HttpContext context, string id)
    {
        if (!State.KolboGenerations.TryGetValue(id, out var generation) || generation.Key != Key(context))
        {
            return Error(404, "NOT_FOUND", $"Generation '{id}' not found.");
        }

        var (state, progress) = generation.Observe(State, countAsPoll: true);
        return Results.Json(Describe(context, generation, state, progress), Json);
    }

    private IResult Cancel(HttpContext context, string id)
    {
        if (!State.KolboGenerations.TryGetValue(id, out var generation) || generation.Key != Key(context))
        {
            return Error(404, "NOT_FOUND", $"Generation '{id}' not found.");
        }

        if (!generation.TryCancel(State, out var current))
        {
            return Error(400, "INVALID_STATE", $"Generation '{id}' is already {Name(current)} and cannot be cancelled.");
        }

        var (state, progress) = generation.Observe(State, countAsPoll: false);
        return Results.Json(Describe(context, generation, state, progress), Json);
    }

    private IResult Credits(HttpContext context)
    {
        var account = State.Account(Id, Key(context));
        var balance = account.Balance;
        return Results.Json(new KolboCreditsReply(true, new KolboCredits(balance, balance, 0, 0)), Json);
    }

    private IResult GetImage(string id) =>
        State.Images.TryGetValue(id, out var image) && image.Provider == Id
            ? Png(image)
            : Error(404, "NOT_FOUND", "Image not found.");

    private KolboStatus Describe(HttpContext context, KolboGeneration generation, KolboState state, int progress)
    {
        var root = PublicRoot(context.Request);
        return state switch
        {
            KolboState.Completed => new KolboStatus(true, generation.Id, "image", "completed", 100,
                new KolboResult([.. generation.ImageIds.Select(i => $"{root}cdn/{i}.png")], generation.Model, generation.Prompt, generation.CreatedAt), null, null),
            KolboState.Failed => new KolboStatus(true, generation.Id, "image", "failed", progress, null,
                "Generation failed: the model returned no image (sandbox TaskFails fault). Credits were refunded.", generation.Credits),
            KolboState.Cancelled => new KolboStatus(true, generation.Id, "image", "cancelled", progress, null, "Generation was cancelled. Credits were refunded.", generation.Credits),
            _ => new KolboStatus(true, generation.Id, "image", "processing", progress, null, null, null),
        };
    }

    private static string Name(KolboState state) => state.ToString().ToLowerInvariant();

    private IResult Error(int status, string code, string message) =>
        Results.Json(new KolboError(false, message, code), Json, statusCode: status);
}
