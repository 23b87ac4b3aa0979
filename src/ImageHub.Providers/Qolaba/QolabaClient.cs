using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageHub.Providers.Qolaba;

/// <summary>
/// Qolaba: <c>POST api/v1/images/generate</c> answers 200 with the images (sync, <c>celery</c> false, the default)
/// or 202 with a task (<c>celery: true</c>) polled at <c>GET api/v1/tasks/{id}</c>. Models come from
/// <c>GET api/v1/images/models</c> (cached). Cost: <c>usage.cost_credits</c> (1 credit = $0.005) and <c>cost_usd</c>.
/// Auth: <c>X-API-Key</c> or <c>Authorization: Bearer</c> (<see cref="QolabaOptions.AuthHeader"/>).
/// </summary>
public sealed class QolabaClient : ImageProviderBase
{
    private static readonly ProviderProfile QolabaProfile = new(ProviderIds.Qolaba, "Qolaba", CanCheckKeys: true,
        "Checked by reading Qolaba's model list (free, read-only). Qolaba reports no balance.", QolabaOptions.UsdPerCredit);

    private static readonly ProviderDescriptor QolabaDescriptor = new(
        QolabaProfile,
        "Check the key's permissions at Qolaba.",
        static code => code is not null && code.Contains("CREDIT", StringComparison.OrdinalIgnoreCase) ? ProviderErrorKind.InsufficientCredits : null);

    private readonly IQolabaApi api;
    private readonly IOptionsMonitor<QolabaOptions> options;
    private readonly IMemoryCache cache;

    internal QolabaClient(IQolabaApi api, IOptionsMonitor<QolabaOptions> options, IMemoryCache cache, TimeProvider timeProvider, ILogger<QolabaClient> logger)
        : base(timeProvider, logger)
    {
        this.api = api;
        this.options = options;
        this.cache = cache;
    }

    public const int MaxPromptLength = 4000;
    public const int MaxNegativePromptLength = 2000;
    public const int MaxReferenceImages = 14;
    public const int MaxImages = 10;

    /// <summary>Source images per request (Qolaba's editing models take a handful; 16 is the bound the hub allows).</summary>
    public const int MaxImageUrls = 16;

    /// <summary>Aspect ratio and quality names are short ("16:9", "4K"); a bound for when the model list is not known.</summary>
    public const int MaxEnumLength = 32;

    public static readonly IReadOnlyList<string> CommonAspectRatios = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9", "5:4", "4:5"];

    private protected override ProviderDescriptor Descriptor => QolabaDescriptor;

    public override ProviderProfile Profile => QolabaProfile;

    private protected override JsonSerializerContext WireContext => QolabaJson.Default;

    /// <summary>The key in the one header <see cref="QolabaOptions.AuthHeader"/> names: (X-API-Key, Authorization).</summary>
    private (string? ApiKey, string? Authorization) Auth(ProviderCredential credential) =>
        string.Equals(Options.AuthHeader, "Bearer", StringComparison.OrdinalIgnoreCase)
            ? (null, "Bearer " + credential.Reveal())
            : (credential.Reveal(), null);

    private QolabaOptions Options => options.CurrentValue;

    private string CacheKey => "imagehub:qolaba:models:" + Options.BaseUrl.AbsoluteUri;

    /// <summary>GET api/v1/images/models, cached for <see cref="ProviderEndpointOptions.ModelsCacheLifetime"/>.</summary>
    public async Task<IReadOnlyList<QolabaModel>> ListModelsAsync(ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        if (cache.TryGetValue(CacheKey, out IReadOnlyList<QolabaModel>? cached) && cached is not null) return cached;
        var (apiKey, authorization) = Auth(credential);
        var reply = await SendAsync(ct => api.ListModelsAsync(apiKey, authorization, ct), credential, false, cancellationToken).ConfigureAwait(false);
        var models = Read(reply, root =>
        {
            var list = root.ValueKind == JsonValueKind.Array ? Wire<List<QolabaModel>>(root) : Wire<QolabaModelList>(root).Models;
            return (IReadOnlyList<QolabaModel>)(list ?? throw new JsonException("no models")).Where(m => !string.IsNullOrWhiteSpace(m.Id)).ToList();
        }, false, "model list");
        cache.Set(CacheKey, models, Options.ModelsCacheLifetime);
        return models;
    }

    public override async ValueTask<ProviderCapabilities> GetCapabilitiesAsync(ProviderCredential? credential = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<QolabaModel>? fetched = null;
        if (credential is not null) fetched = await ListModelsAsync(credential, cancellationToken).ConfigureAwait(false);
        else if (cache.TryGetValue(CacheKey, out IReadOnlyList<QolabaModel>? cached)) fetched = cached;

        var models = fetched?.Select(ToModel).ToList()
            ?? Options.EffectiveFallbackModels.Select(id => new ProviderModel(id, id, MaxImages: MaxImages)).ToList();
        var ratios = models.SelectMany(m => m.ValuesOf("aspect_ratio")).Distinct().ToList();
        var qualities = models.SelectMany(m => m.ValuesOf("quality")).Distinct().ToList();
        List<OptionDescriptor> descriptors =
        [
            new("aspect_ratio", OptionKind.Enum, "Aspect ratio", "Output aspect ratio; not every model supports every ratio.",
                ratios.Count > 0 ? ratios : CommonAspectRatios, MaxLength: MaxEnumLength),
            new("quality", OptionKind.Enum, "Quality", "Resolution/quality preset, model-specific (e.g. 2K, 4K; low, medium, high).",
                qualities.Count > 0 ? qualities : null, MaxLength: MaxEnumLength),
            new("seed", OptionKind.Int, "Seed", "Random seed for reproducible results (models that support seeds)."),
            new("negative_prompt", OptionKind.String, "Negative prompt", "What to keep out of the image.", MaxLength: MaxNegativePromptLength),
            new("num_inference_steps", OptionKind.Int, "Inference steps", "Denoising steps (FAL models): more is slower and finer.", Min: 1, Max: 150,
                Placement: OptionPlacement.More),
            new("guidance_scale", OptionKind.Number, "Guidance scale", "How closely to follow the prompt (FAL models).", Min: 0, Max: 30,
                Placement: OptionPlacement.More),
            new("temperature", OptionKind.Number, "Temperature", "Sampling temperature (Vertex models).", Min: 0, Max: 2, Placement: OptionPlacement.More),
            new("reference_images", OptionKind.StringList, "Reference images", "Image URLs (or {url, description}) for character, product or style consistency.",
                MaxLength: MaxUrlLength, MaxItems: MaxReferenceImages, ItemsAreUrls: true, Placement: OptionPlacement.More),
            new("image_urls", OptionKind.StringList, "Source images", $"Source image URLs for image-to-image or editing (at most {MaxImageUrls}).",
                MaxLength: MaxUrlLength, MaxItems: MaxImageUrls, ItemsAreUrls: true, Placement: OptionPlacement.ApiOnly),
            new("mask_url", OptionKind.String, "Mask", "Black/white inpainting mask URL (FLUX Inpainting only).", MaxLength: MaxUrlLength, ItemsAreUrls: true,
                Placement: OptionPlacement.ApiOnly),
            new("celery", OptionKind.Bool, "Asynchronous", "true: Qolaba answers at once with a task that is polled; false: it answers when the images are done.", Default: "false",
                Placement: OptionPlacement.ApiOnly),
        ];
        return new ProviderCapabilities(
            Profile, MaxPromptLength, MaxImages, DefaultImages: 1, models, descriptors,
            SupportsCancel: false, ReportsBalance: false,
            DefaultModel: null, ModelRequired: true, ModelsAreComplete: fetched is not null)
        {
            ModelsSource = fetched is not null ? "fetched from Qolaba (GET api/v1/images/models)" : "known ids, until fetched with a key",
        };
    }

    private static ProviderModel ToModel(QolabaModel m) => new(
        m.Id, m.Name ?? m.Id,
        CreditsPerImage: m.QualityPricing is { Count: 1 } ? m.QualityPricing.Values.First() / QolabaOptions.UsdPerCredit : null,
        CreditsByQuality: m.QualityPricing?.ToDictionary(p => p.Key, p => p.Value / QolabaOptions.UsdPerCredit),
        MaxImages: m.MaxNumImages is { } max ? Math.Min(max, MaxImages) : null,
        DefaultImages: m.DefaultNumImages,
        MaxReferenceImages: m.MaxReferenceImages,
        SupportsSeed: m.SupportsSeed,
        Vendor: m.Provider)
    {
        OptionValues = ModelValues(m),
        UnsupportedOptions = m.SupportsSeed == false ? ["seed"] : null,
    };

    private static Dictionary<string, IReadOnlyList<string>> ModelValues(QolabaModel m)
    {
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (m.ImageSize is { } ratios) values["aspect_ratio"] = ratios;
        if (m.Quality is { } qualities) values["quality"] = qualities;
        return values;
    }

    private protected override int? MaxItemsFor(OptionDescriptor option, ProviderModel? model) =>
        option.Name == "reference_images" && model?.MaxReferenceImages is { } max ? Math.Min(max, MaxReferenceImages) : option.MaxItems;

    private protected override bool AcceptsUrlObjects(OptionDescriptor option) => option.Name == "reference_images";

    public override decimal? EstimateCredits(GenerationRequest request, ProviderCapabilities capabilities)
    {
        var model = capabilities.FindModel(request.Model);
        if (model?.CreditsByQuality is not { Count: > 0 } prices) return model?.CreditsPerImage * (request.NumImages ?? model?.DefaultImages ?? 1);
        var quality = OptString(request, "quality");
        var perImage = quality is not null && prices.TryGetValue(quality, out var p) ? p : prices.Values.First();
        return perImage * (request.NumImages ?? model.DefaultImages ?? 1);
    }

    public override async Task<SubmitResult> SubmitAsync(GenerationRequest request, ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        var capabilities = await GetCapabilitiesAsync(credential, cancellationToken).ConfigureAwait(false);
        ThrowIfInvalid(request, capabilities);
        var body = new QolabaGenerateRequest(
            request.Model!, Null(request.Prompt), OptBool(request, "celery"),
            OptStrings(request, "image_urls"), ReferenceImages(request), OptString(request, "mask_url"),
            OptString(request, "aspect_ratio"), OptString(request, "quality"), request.NumImages,
            OptLong(request, "seed"), OptInt(request, "num_inference_steps"), OptDecimal(request, "guidance_scale"),
            OptDecimal(request, "temperature"), OptString(request, "negative_prompt"));

        var (apiKey, authorization) = Auth(credential);
        var reply = await SendAsync(ct => api.GenerateAsync(body, apiKey, authorization, ct), credential,
            isSubmission: true, cancellationToken, FieldName).ConfigureAwait(false);

        return Read(reply, root =>
        {
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
            if (root.TryGetProperty("images", out _))
            {
                var result = Wire<QolabaResult>(root);
                var images = Images(result);
                var handle = new ProviderHandle(Id, result.TaskId, Images: images, Credits: result.Usage?.CostCredits,
                    CostUsd: result.Usage?.CostUsd, Model: request.Model, Finished: true);
                return new SubmitResult(handle, GenerationState.Succeeded, images, result.Usage?.CostCredits, result.Usage?.CostUsd, null);
            }
            var task = Wire<QolabaTask>(root);
            if (string.IsNullOrWhiteSpace(task.TaskId)) throw new JsonException("no task_id");
            var pending = new ProviderHandle(Id, task.TaskId, Model: request.Model);
            return new SubmitResult(pending, StateOf(task.Status), [], null, null, TimeSpan.FromSeconds(2));
        }, isSubmission: true);
    }

    public override async Task<PollResult> PollAsync(ProviderHandle handle, ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        if (handle.ProviderId != Id) throw HandleMismatch(handle);
        if (handle.Finished)
        {
            return new PollResult(GenerationState.Succeeded, 100, handle.ImagesOrEmpty, handle.Credits, handle.CostUsd, null, null);
        }
        var (apiKey, authorization) = Auth(credential);
        var reply = await SendAsync(ct => api.GetTaskAsync(handle.Id ?? "", apiKey, authorization, ct), credential, false, cancellationToken).ConfigureAwait(false);
        return Read(reply, root =>
        {
            var task = Wire<QolabaTask>(root);
            var state = StateOf(task.Status);
            switch (state)
            {
                case GenerationState.Succeeded:
                {
                    var output = task.Output is { ValueKind: JsonValueKind.Object } o ? Wire<QolabaResult>(o)
                        : task.Output is { ValueKind: JsonValueKind.Array } a ? new QolabaResult(task.TaskId, null, null, Wire<List<QolabaImage>>(a), null)
                        : throw new JsonException("SUCCESS without output");
                    var images = Images(output);
                    if (images.Count == 0) throw new JsonException("SUCCESS without images");
                    return new PollResult(state, 100, images, output.Usage?.CostCredits, output.Usage?.CostUsd, null, null);
                }
                case GenerationState.Failed:
                {
                    var why = string.Join(": ", new[] { Text(task.Error), Text(task.ErrorDetail) }.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => credential.Scrub(t!)));
                    var error = new ProviderError(Id, ProviderErrorKind.ProviderFailure,
                        string.IsNullOrEmpty(why) ? "Qolaba could not generate the image." : $"Qolaba could not generate the image: {why.TrimEnd('.')}.",
                        ProviderMessage: why);
                    // Qolaba reports usage only with results; a failed task is taken as not charged.
                    return new PollResult(state, null, [], 0, 0, error, null);
                }
                default:
                    return new PollResult(state, task.Progress is { } p ? (int)Math.Clamp(p, 0, 100) : null, [], null, null, null,
                        TimeSpan.FromSeconds(state == GenerationState.Pending ? 2 : 1));
            }
        }, false, "task status");
    }

    public override async Task<KeyCheckResult> CheckKeyAsync(ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        try
        {
            cache.Remove(CacheKey);
            var models = await ListModelsAsync(credential, cancellationToken).ConfigureAwait(false);
            return new KeyCheckResult(KeyCheckStatus.Valid, $"Qolaba accepted the key ({models.Count} models available). Qolaba reports no balance.");
        }
        catch (ProviderException ex)
        {
            return KeyCheckFrom(ex);
        }
    }

    private static GenerationState StateOf(string? status) => status?.ToUpperInvariant() switch
    {
        "SUCCESS" or "COMPLETED" or "SUCCEEDED" => GenerationState.Succeeded,
        "FAILED" or "FAILURE" or "ERROR" => GenerationState.Failed,
        "PROCESSING" or "STARTED" or "RUNNING" => GenerationState.Running,
        "REVOKED" or "CANCELLED" or "CANCELED" => GenerationState.Cancelled,
        _ => GenerationState.Pending,
    };

    private static List<ProviderImage> Images(QolabaResult result) =>
        (result.Images ?? []).Where(i => !string.IsNullOrWhiteSpace(i.Url))
            .Select(i => new ProviderImage(i.Url!, i.Width, i.Height, i.ContentType)).ToList();

    private static string? Text(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.String } e => e.GetString(),
        { ValueKind: JsonValueKind.Object or JsonValueKind.Array } e => e.GetRawText(),
        _ => null,
    };

    private static IReadOnlyList<QolabaReferenceImage>? ReferenceImages(GenerationRequest request)
    {
        if (!request.OptionsOrEmpty.TryGetValue("reference_images", out var value) || value.ValueKind != JsonValueKind.Array) return null;
        return value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String
            ? new QolabaReferenceImage(item.GetString()!, null)
            : new QolabaReferenceImage(item.GetProperty("url").GetString()!,
                item.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null)).ToList();
    }

    private static string FieldName(string wire) => wire switch
    {
        "prompt" or "model" => wire,
        "num_images" => "numImages",
        _ => "options." + wire,
    };
}
