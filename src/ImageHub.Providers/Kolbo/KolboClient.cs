using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageHub.Providers.Kolbo;

/// <summary>
/// Kolbo: <c>POST v1/generate/image</c> with <c>X-API-Key</c> answers with a generation id and a poll_url (either
/// documented form) polled for state and progress. Credits are charged up front and refunded when the
/// generation fails (reported as 0). Cancel: <c>POST v1/generate/{id}/cancel</c>. Models, moodboards, visual DNA
/// and account credits are readable; the credits endpoint is the key check and the balance.
/// </summary>
public sealed class KolboClient : ImageProviderBase
{
    private readonly IKolboApi api;
    private readonly IOptionsMonitor<KolboOptions> options;
    private readonly IMemoryCache cache;

    internal KolboClient(IKolboApi api, IOptionsMonitor<KolboOptions> options, IMemoryCache cache, TimeProvider timeProvider, ILogger<KolboClient> logger)
        : base(timeProvider, logger)
    {
        this.api = api;
        this.options = options;
        this.cache = cache;
    }

    /// <summary>Kolbo documents no prompt limit; ImageHub keeps prompts to this.</summary>
    public const int MaxPromptLength = 4000;

    private static readonly ProviderProfile KolboProfile = new(ProviderIds.Kolbo, "Kolbo", CanCheckKeys: true,
        "Checked by reading the account's credits (read-only); that is also the balance.", UsdPerCredit: null)
    {
        NoModelLabel = "Smart Select",
    };

    private static readonly ProviderDescriptor KolboDescriptor = new(
        KolboProfile,
        "Check the key's permissions at Kolbo.",
        static code => code switch
        {
            "INSUFFICIENT_CREDITS" => ProviderErrorKind.InsufficientCredits,
            "INVALID_API_KEY" => ProviderErrorKind.Unauthorized,
            "RATE_LIMITED" => ProviderErrorKind.RateLimited,
            _ => null,
        });

    private protected override ProviderDescriptor Descriptor => KolboDescriptor;

    public override ProviderProfile Profile => KolboProfile;

    /// <summary>The account's moodboards, offered by name for <c>moodboard_id</c>.</summary>
    public override async Task<IReadOnlyDictionary<string, IReadOnlyList<OptionChoice>>> ListOptionChoicesAsync(ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        var moodboards = await ListMoodboardsAsync(credential, cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, IReadOnlyList<OptionChoice>> { ["moodboard_id"] = moodboards.Select(m => new OptionChoice(m.Id, m.Name)).ToList() };
    }

    private protected override JsonSerializerContext WireContext => KolboJson.Default;

    private KolboOptions Options => options.CurrentValue;

    private Uri Base => Options.BaseUrl;

    private string CacheKey => "imagehub:kolbo:models:" + Base.AbsoluteUri;

    /// <summary>GET v1/models?type=image, cached for <see cref="ProviderEndpointOptions.ModelsCacheLifetime"/>.</summary>
    public async Task<IReadOnlyList<KolboModel>> ListModelsAsync(ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        if (cache.TryGetValue(CacheKey, out IReadOnlyList<KolboModel>? cached) && cached is not null) return cached;
        var reply = await SendAsync(ct => api.ListImageModelsAsync(credential.Reveal(), ct), credential, false, cancellationToken).ConfigureAwait(false);
        var models = Read(reply, root =>
        {
            var list = root.ValueKind == JsonValueKind.Array ? Wire<List<KolboModel>>(root) : Wire<KolboModelList>(root).Models;
            return (IReadOnlyList<KolboModel>)(list ?? throw new JsonException("no models"))
                // The server already filtered on ?type=image; the values inside types are not documented, so none is dropped on them.
                .Where(m => !string.IsNullOrWhiteSpace(m.Identifier))
                .ToList();
        }, false, "model list");
        cache.Set(CacheKey, models, Options.ModelsCacheLifetime);
        return models;
    }

    /// <summary>GET v1/moodboards.</summary>
    public Task<IReadOnlyList<KolboNamedItem>> ListMoodboardsAsync(ProviderCredential credential, CancellationToken cancellationToken = default) =>
        ListNamedAsync(api.ListMoodboardsAsync, ["moodboards", "data", "items"], "moodboard list", credential, cancellationToken);

    /// <summary>GET v1/visual-dna.</summary>
    public Task<IReadOnlyList<KolboNamedItem>> ListVisualDnaAsync(ProviderCredential credential, CancellationToken cancellationToken = default) =>
        ListNamedAsync(api.ListVisualDnaAsync, ["visual_dnas", "visual_dna", "data", "items"], "visual DNA list", credential, cancellationToken);

    /// <summary>GET v1/account/credits.</summary>
    public async Task<KolboCredits> GetCreditsAsync(ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(ct => api.GetCreditsAsync(credential.Reveal(), ct), credential, false, cancellationToken).ConfigureAwait(false);
        return Read(reply, root => root.TryGetProperty("credits", out var credits) && credits.ValueKind == JsonValueKind.Object
            ? Wire<KolboCredits>(credits)
            : root.TryGetProperty("credits", out var number) && number.ValueKind == JsonValueKind.Number
                ? new KolboCredits(number.GetDecimal(), null, null, null)
                : throw new JsonException("no credits"), false, "credit balance");
    }

    public override async ValueTask<ProviderCapabilities> GetCapabilitiesAsync(ProviderCredential? credential = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<KolboModel>? fetched = null;
        if (credential is not null) fetched = await ListModelsAsync(credential, cancellationToken).ConfigureAwait(false);
        else if (cache.TryGetValue(CacheKey, out IReadOnlyList<KolboModel>? cached)) fetched = cached;

        var o = Options;
        var models = (fetched ?? []).Select(m => new ProviderModel(
            m.Identifier, m.Name ?? m.Identifier,
            CreditsPerImage: m.CreditsPerImage,
            MaxReferenceImages: m.MaxReferenceImages,
            Recommended: m.Recommended ?? false,
            Vendor: m.Provider)
        {
            OptionValues = m.SupportedAspectRatios is { Count: > 0 } supported
                ? new Dictionary<string, IReadOnlyList<string>> { ["aspect_ratio"] = supported }
                : null,
        }).ToList();
        var allRatios = models.SelectMany(m => m.ValuesOf("aspect_ratio")).Distinct().ToList();
        List<OptionDescriptor> descriptors =
        [
            new("aspect_ratio", OptionKind.Enum, "Aspect ratio", "Output aspect ratio; each model lists the ratios it supports.",
                allRatios.Count > 0 ? allRatios : o.EffectiveAspectRatios, Default: "1:1", MaxLength: 32),
            new("enhance_prompt", OptionKind.Bool, "Enhance prompt", "Let Kolbo rewrite the prompt for better results.", Default: "true"),
            new("reference_images", OptionKind.StringList, "Reference images",
                $"Image URLs guiding composition, style or subject (each model has its own maximum; Smart Select takes {KolboOptions.SmartSelectMaxReferenceImages}).",
                MaxLength: MaxUrlLength, MaxItems: KolboOptions.SmartSelectMaxReferenceImages, ItemsAreUrls: true, Placement: OptionPlacement.More),
            new("visual_dna_ids", OptionKind.StringList, "Visual DNA", $"Visual DNA ids for character/product consistency (at most {KolboOptions.MaxVisualDna}).",
                MaxLength: KolboOptions.MaxIdLength, MaxItems: KolboOptions.MaxVisualDna, Placement: OptionPlacement.More),
            new("moodboard_id", OptionKind.String, "Moodboard", "A moodboard id whose master prompt guides the style.", MaxLength: KolboOptions.MaxIdLength),
        ];
        return new ProviderCapabilities(
            Profile, MaxPromptLength, o.MaxImages, DefaultImages: 1, models, descriptors,
            SupportsCancel: true, ReportsBalance: true,
            DefaultModel: null, ModelRequired: false, ModelsAreComplete: fetched is not null)
        {
            ModelsSource = fetched is not null ? "fetched from Kolbo (GET v1/models?type=image)" : "not fetched yet: no model = Smart Select",
        };
    }

    private protected override int? MaxItemsFor(OptionDescriptor option, ProviderModel? model) =>
        option.Name == "reference_images" && model?.MaxReferenceImages is { } max ? max : option.MaxItems;

    /// <summary>The model's credit × images; null with Smart Select (Kolbo picks the model and says what it charged).</summary>
    public override decimal? EstimateCredits(GenerationRequest request, ProviderCapabilities capabilities) =>
        capabilities.FindModel(request.Model)?.CreditsPerImage * (request.NumImages ?? 1);

    public override async Task<SubmitResult> SubmitAsync(GenerationRequest request, ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        // With a model named, its list is needed to validate it (aspect ratios, reference images); Smart Select needs none.
        var capabilities = await GetCapabilitiesAsync(Null(request.Model) is null ? null : credential, cancellationToken).ConfigureAwait(false);
        ThrowIfInvalid(request, capabilities);
        var body = new KolboGenerateRequest(
            request.Prompt, Null(request.Model), OptString(request, "aspect_ratio"), OptBool(request, "enhance_prompt"), request.NumImages,
            OptStrings(request, "reference_images"), OptStrings(request, "visual_dna_ids"), OptString(request, "moodboard_id"));

        var reply = await SendAsync(ct => api.GenerateAsync(body, credential.Reveal(), ct), credential,
            isSubmission: true, cancellationToken, FieldName).ConfigureAwait(false);

        var started = Read(reply, Wire<KolboGenerateReply>, isSubmission: true);
        if (string.IsNullOrWhiteSpace(started.GenerationId)) throw Unexpected("no generation_id", isSubmission: true, reply.Status);
        var pollUri = KolboPollUrl.Resolve(Base, started.PollUrl, started.GenerationId);
        var hint = started.PollIntervalHint is { } h && h > 0 ? (int)Math.Ceiling(h) : (int?)null;
        var handle = new ProviderHandle(Id, started.GenerationId, pollUri.AbsoluteUri, hint, Credits: started.CreditsCharged,
            Model: started.Model ?? Null(request.Model));
        return new SubmitResult(handle, GenerationState.Pending, [], started.CreditsCharged, null, Interval(hint));
    }

    public override async Task<PollResult> PollAsync(ProviderHandle handle, ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        if (handle.ProviderId != Id) throw HandleMismatch(handle);
        var path = PollPath(handle);
        var reply = await SendAsync(ct => path is null
            ? api.GetStatusAsync(handle.Id ?? "", credential.Reveal(), ct)
            : api.PollAsync(path, credential.Reveal(), ct), credential, false, cancellationToken).ConfigureAwait(false);
        return Read(reply, root => ToPoll(Wire<KolboStatusReply>(root), handle, credential), false, "generation status");
    }

    public override async Task<PollResult> CancelAsync(ProviderHandle handle, ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        if (handle.ProviderId != Id) throw HandleMismatch(handle);
        // A cancel is a POST, so the resilience handler retries it only where it cannot have arrived.
        var reply = await SendAsync(ct => api.CancelAsync(handle.Id ?? "", credential.Reveal(), ct), credential, false, cancellationToken).ConfigureAwait(false);
        return Read(reply, root =>
        {
            var status = Wire<KolboStatusReply>(root);
            return status.State is null
                ? new PollResult(GenerationState.Cancelled, null, [], 0, null, null, null)
                : ToPoll(status, handle, credential);
        }, false, "cancel reply");
    }

    public override async Task<KeyCheckResult> CheckKeyAsync(ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        try
        {
            var credits = await GetCreditsAsync(credential, cancellationToken).ConfigureAwait(false);
            return new KeyCheckResult(KeyCheckStatus.Valid,
                $"Kolbo accepted the key: {credits.Total.ToString("0.##", CultureInfo.InvariantCulture)} credits.", credits.Total);
        }
        catch (ProviderException ex)
        {
            return KeyCheckFrom(ex);
        }
    }

    /// <summary>
    /// The stored poll URL relative to the base when it is a path under it other than the documented status path;
    /// null to use the documented path. A stored URL is reused only if it is still on the configured origin and
    /// under the base (base URLs can change between runs; the key never goes anywhere else).
    /// </summary>
    private string? PollPath(ProviderHandle handle)
    {
        if (string.IsNullOrEmpty(handle.Id))
        {
            throw new ProviderException(new ProviderError(Id, ProviderErrorKind.InvalidRequest, "This Kolbo handle has no generation id to poll."));
        }
        if (handle.PollUrl is not { } stored || !Uri.TryCreate(stored, UriKind.Absolute, out var storedUri)
            || KolboPollUrl.Resolve(Base, stored, handle.Id) != storedUri
            || storedUri == KolboPollUrl.Resolve(Base, null, handle.Id))
        {
            return null;
        }
        var relative = Base.MakeRelativeUri(storedUri).OriginalString;
        return relative.Length == 0 || relative.StartsWith("..", StringComparison.Ordinal) || relative.Contains('?') ? null : relative;
    }

    private PollResult ToPoll(KolboStatusReply status, ProviderHandle handle, ProviderCredential credential)
    {
        var state = status.State?.ToLowerInvariant() switch
        {
            "completed" or "complete" or "succeeded" or "success" => GenerationState.Succeeded,
            "failed" or "error" => GenerationState.Failed,
            "cancelled" or "canceled" => GenerationState.Cancelled,
            "processing" or "running" or "in_progress" => GenerationState.Running,
            "pending" or "queued" => GenerationState.Pending,
            null => throw new JsonException("no state"),
            _ => GenerationState.Running,
        };
        var progress = status.Progress is { } p ? (int)Math.Clamp(p, 0, 100) : (int?)null;
        var charged = status.CreditsCharged ?? handle.Credits;
        switch (state)
        {
            case GenerationState.Succeeded:
            {
                var images = (status.Result?.Urls ?? []).Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => new ProviderImage(u)).ToList();
                if (images.Count == 0) throw new JsonException("completed without result.urls");
                return new PollResult(state, 100, images, charged, null, null, null);
            }
            case GenerationState.Failed:
            {
                var why = status.Error switch
                {
                    { ValueKind: JsonValueKind.String } e => e.GetString(),
                    { ValueKind: JsonValueKind.Object } e when e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String => m.GetString(),
                    _ => null,
                };
                why = why is null ? null : credential.Scrub(why);
                var error = new ProviderError(Id, ProviderErrorKind.ProviderFailure,
                    why is null ? "Kolbo could not generate the image; the credits were refunded." : $"Kolbo could not generate the image: {why.TrimEnd('.')}. The credits were refunded.",
                    ProviderMessage: why);
                // Kolbo refunds failed generations: the net charge is 0.
                return new PollResult(state, progress, [], 0, null, error, null);
            }
            case GenerationState.Cancelled:
                // Whether a cancel refunds is not documented; the refunded amount, when reported, settles it.
                return new PollResult(state, progress, [], status.CreditsRefunded is { } r && charged is { } c ? Math.Max(0, c - r) : charged, null, null, null);
            default:
                return new PollResult(state, progress, [], null, null, null, Interval(handle.PollIntervalSeconds));
        }
    }

    private TimeSpan Interval(int? hintSeconds) => hintSeconds is { } s and > 0 ? TimeSpan.FromSeconds(s) : Options.DefaultPollInterval;

    private async Task<IReadOnlyList<KolboNamedItem>> ListNamedAsync(Func<string, CancellationToken, Task<HttpResponseMessage>> list, string[] arrayNames, string what,
        ProviderCredential credential, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(ct => list(credential.Reveal(), ct), credential, false, cancellationToken).ConfigureAwait(false);
        return Read(reply, root =>
        {
            var array = root.ValueKind == JsonValueKind.Array ? root
                : arrayNames.Select(n => root.TryGetProperty(n, out var a) ? a : default).FirstOrDefault(a => a.ValueKind == JsonValueKind.Array);
            if (array.ValueKind != JsonValueKind.Array) throw new JsonException("no list");
            return (IReadOnlyList<KolboNamedItem>)array.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).Select(i =>
            {
                var id = Str(i, "id") ?? Str(i, "_id") ?? Str(i, "identifier") ?? throw new JsonException("item without id");
                return new KolboNamedItem(id, Str(i, "name") ?? Str(i, "title") ?? id, Str(i, "description"));
            }).ToList();
        }, false, what);

        static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
    }

    private static string FieldName(string wire) => wire switch
    {
        "prompt" or "model" => wire,
        "num_images" => "numImages",
        _ => "options." + wire,
    };
}
