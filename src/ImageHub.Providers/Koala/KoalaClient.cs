using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageHub.Providers.Koala;

/// <summary>
/// KoalaImages: <c>POST api/image-generation/</c> with Bearer auth. The reply is an array of {url, alt} returned
/// before the images exist; a GET on a URL blocks until the image is ready, so a submission is complete at once
/// from the client's side and the image fetcher (long timeout) does the waiting. Cost: per image by model
/// from the configured price table. Koala has no read-only endpoint, so keys cannot be checked without generating.
/// </summary>
public sealed class KoalaClient : ImageProviderBase
{
    private readonly IKoalaApi api;
    private readonly IOptionsMonitor<KoalaOptions> options;

    internal KoalaClient(IKoalaApi api, IOptionsMonitor<KoalaOptions> options, TimeProvider timeProvider, ILogger<KoalaClient> logger)
        : base(timeProvider, logger)
    {
        this.api = api;
        this.options = options;
    }

    public static readonly IReadOnlyList<string> Styles = ["photo", "illustration", "watercolor", "fantasy", "anime", "3d", "isometric", "none"];

    public static readonly IReadOnlyList<string> Sizes =
        ["1024x1024", "1152x896", "1216x832", "1344x768", "1536x640", "640x1536", "768x1344", "832x1216", "896x1152"];

    public const int MaxPromptLength = 4000;

    public override ProviderProfile Profile => KoalaProfile;

    private static readonly ProviderProfile KoalaProfile = new(ProviderIds.Koala, "Koala", CanCheckKeys: false,
        "Koala has no read-only endpoint to check a key: it stays unchecked until it pays for its first generation.", UsdPerCredit: null)
    {
        ChargedByPriceTable = true,
    };

    private static readonly ProviderDescriptor KoalaDescriptor = new(
        KoalaProfile,
        "Premium-class models need Koala's Professional plan: pick the standard model or upgrade the plan.");

    private protected override ProviderDescriptor Descriptor => KoalaDescriptor;

    private protected override JsonSerializerContext WireContext => KoalaJson.Default;

    private KoalaOptions Options => options.CurrentValue;

    public override ValueTask<ProviderCapabilities> GetCapabilitiesAsync(ProviderCredential? credential = null, CancellationToken cancellationToken = default)
    {
        var o = Options;
        var models = o.EffectiveModels.Select(m => new ProviderModel(
            m.Id, m.Name,
            CreditsPerImage: m.CreditsPerImage,
            CreditsByQuality: m.CreditsByQuality,
            MaxImages: 4,
            RequiresPremiumPlan: m.Premium,
            Deprecated: m.Deprecated)
        {
            // Only models priced by quality take one.
            OptionValues = new Dictionary<string, IReadOnlyList<string>> { ["quality"] = m.CreditsByQuality?.Keys.ToList() ?? [] },
        }).ToList();
        var qualities = models.SelectMany(m => m.ValuesOf("quality")).Distinct().ToList();
        List<OptionDescriptor> descriptors =
        [
            new("style", OptionKind.Enum, "Style", "The visual style of the image.", Styles, Default: "photo"),
            new("size", OptionKind.Enum, "Size", "Width x height in pixels.", Sizes, Default: "1024x1024"),
        ];
        if (qualities.Count > 0)
        {
            descriptors.Add(new("quality", OptionKind.Enum, "Quality",
                $"Only for models priced by quality ({List(models.Where(m => m.ValuesOf("quality").Count > 0).Select(m => m.Id))}); higher costs more.",
                qualities));
        }
        return ValueTask.FromResult(new ProviderCapabilities(
            Profile, MaxPromptLength, MaxImages: 4, DefaultImages: 1,
            models, descriptors,
            SupportsCancel: false, ReportsBalance: false,
            DefaultModel: o.DefaultModel, ModelRequired: false, ModelsAreComplete: true)
        {
            ModelsSource = "configured (Providers:Koala:Models, defaults from Koala's documentation)",
        });
    }

    public override decimal? EstimateCredits(GenerationRequest request, ProviderCapabilities capabilities)
    {
        var model = capabilities.FindModel(request.Model ?? capabilities.DefaultModel);
        return model is null ? null : PricePerImage(model, QualityFor(request, model)) * (request.NumImages ?? 1);
    }

    private string? QualityFor(GenerationRequest request, ProviderModel model) =>
        model.ValuesOf("quality") is { Count: > 0 } qualities
            ? OptString(request, "quality") ?? Options.EffectiveModels.FirstOrDefault(m => m.Id == model.Id)?.DefaultQuality ?? qualities[0]
            : null;

    private static decimal PricePerImage(ProviderModel model, string? quality) =>
        quality is not null && model.CreditsByQuality?.TryGetValue(quality, out var byQuality) == true
            ? byQuality
            : model.CreditsPerImage ?? 0;

    public override async Task<SubmitResult> SubmitAsync(GenerationRequest request, ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        var capabilities = await GetCapabilitiesAsync(credential, cancellationToken).ConfigureAwait(false);
        ThrowIfInvalid(request, capabilities);
        var model = capabilities.FindModel(Null(request.Model) ?? capabilities.DefaultModel)!;
        var quality = QualityFor(request, model);
        var size = OptString(request, "size");
        var numImages = request.NumImages ?? 1;
        var body = new KoalaGenerateRequest(request.Prompt, OptString(request, "style"), size, numImages, model.Id, quality);

        var reply = await SendAsync(ct => api.GenerateAsync(body, credential.Reveal(), ct), credential,
            isSubmission: true, cancellationToken, FieldName).ConfigureAwait(false);

        var images = Read(reply, root =>
        {
            // The documented reply is an array; tolerate one object or {images:[...]} too.
            var items = root.ValueKind switch
            {
                JsonValueKind.Array => Wire<List<KoalaImage>>(root),
                JsonValueKind.Object when root.TryGetProperty("images", out var inner) => Wire<List<KoalaImage>>(inner),
                JsonValueKind.Object => [Wire<KoalaImage>(root)],
                _ => throw new JsonException("not an array"),
            };
            return items.Where(i => !string.IsNullOrWhiteSpace(i.Url)).Select(i => ToImage(i.Url!, size ?? "1024x1024")).ToList();
        }, isSubmission: true);
        if (images.Count == 0) throw Unexpected("no image URLs in the reply", isSubmission: true, reply.Status);

        var credits = PricePerImage(model, quality) * images.Count;
        var handle = new ProviderHandle(Id, Images: images, Credits: credits, Model: model.Id, Finished: true);
        return new SubmitResult(handle, GenerationState.Succeeded, images, credits, null, null);
    }

    /// <summary>Koala's state is known at submission: the URLs are the result (fetching them waits for the images).</summary>
    public override Task<PollResult> PollAsync(ProviderHandle handle, ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        if (handle.ProviderId != Id) throw HandleMismatch(handle);
        return Task.FromResult(handle.ImagesOrEmpty.Count > 0
            ? new PollResult(GenerationState.Succeeded, 100, handle.ImagesOrEmpty, handle.Credits, null, null, null)
            : new PollResult(GenerationState.Failed, null, [], 0, null,
                new ProviderError(Id, ProviderErrorKind.ProviderFailure, "Koala returned no image URLs for this generation."), null));
    }

    public override Task<KeyCheckResult> CheckKeyAsync(ProviderCredential credential, CancellationToken cancellationToken = default) =>
        Task.FromResult(new KeyCheckResult(KeyCheckStatus.Unchecked,
            "Koala has no read-only endpoint to check a key without generating; it is checked by its first generation."));

    private static ProviderImage ToImage(string url, string size)
    {
        int? width = null, height = null;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            foreach (var part in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = part.Split('=', 2);
                if (kv.Length == 2 && int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    if (kv[0] == "width") width = value;
                    else if (kv[0] == "height") height = value;
                }
            }
        }
        if (width is null || height is null)
        {
            var wh = size.Split('x');
            width ??= int.Parse(wh[0], CultureInfo.InvariantCulture);
            height ??= int.Parse(wh[1], CultureInfo.InvariantCulture);
        }
        return new ProviderImage(url, width, height);
    }

    private static string FieldName(string wire) => wire switch
    {
        "prompt" or "model" => wire,
        "numImages" => "numImages",
        _ => "options." + wire,
    };
}
