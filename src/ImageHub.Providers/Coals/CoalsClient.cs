using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageHub.Providers.Coals;

/// <summary>
/// Coals.ai GraphiCoal: <c>POST generate</c> with Bearer auth answers when done, with ONE object for one image
/// and an ARRAY for several. Cost: the sum of <c>credits_charged</c> (1 credit = $0.01). Key check and balance:
/// <c>GET quota</c> (free). Errors: nested {error:{code,message,details}} (422 VALIDATION_ERROR details map
/// to fields) or flat {error:"msg"}; 429 carries Retry-After and X-RateLimit-Reset.
/// </summary>
public sealed class CoalsClient : ImageProviderBase
{
    private readonly ICoalsApi api;
    private readonly IOptionsMonitor<CoalsOptions> options;

    internal CoalsClient(ICoalsApi api, IOptionsMonitor<CoalsOptions> options, TimeProvider timeProvider, ILogger<CoalsClient> logger)
        : base(timeProvider, logger)
    {
        this.api = api;
        this.options = options;
    }

    public const int MaxPromptLength = 2000;
    public const int MinSide = 256;
    public const int MaxSide = 2048;
    public const int DefaultSide = 1024;
    public const int MaxImages = 4;

    public override ProviderProfile Profile => CoalsProfile;

    private static readonly ProviderProfile CoalsProfile = new(ProviderIds.Coals, "Coals", CanCheckKeys: true,
        "Checked by reading the key's quota (free, read-only); the quota is the balance.", CoalsOptions.UsdPerCredit);

    private static readonly ProviderDescriptor CoalsDescriptor = new(
        CoalsProfile,
        "The key lacks a scope it needs (graphicoal:generate to generate, graphicoal:read to read): create a key with those scopes at Coals and update it in Keys.",
        static code => code switch
        {
            "INSUFFICIENT_CREDITS" or "QUOTA_EXCEEDED" => ProviderErrorKind.InsufficientCredits,
            "RATE_LIMIT_EXCEEDED" => ProviderErrorKind.RateLimited,
            _ => null,
        });

    private protected override ProviderDescriptor Descriptor => CoalsDescriptor;

    private protected override JsonSerializerContext WireContext => CoalsJson.Default;

    private CoalsOptions Options => options.CurrentValue;

    public override ValueTask<ProviderCapabilities> GetCapabilitiesAsync(ProviderCredential? credential = null, CancellationToken cancellationToken = default)
    {
        var models = Options.EffectiveModels.Select(m => new ProviderModel(m.Id, m.Name, CreditsPerCall: m.CreditsPerCall, MaxImages: MaxImages)).ToList();
        List<OptionDescriptor> descriptors =
        [
            new("width", OptionKind.Int, "Width", $"Output width in pixels ({MinSide}–{MaxSide}).", Min: MinSide, Max: MaxSide, Default: "1024"),
            new("height", OptionKind.Int, "Height", $"Output height in pixels ({MinSide}–{MaxSide}).", Min: MinSide, Max: MaxSide, Default: "1024"),
        ];
        return ValueTask.FromResult(new ProviderCapabilities(
            Profile, MaxPromptLength, MaxImages, DefaultImages: 1, models, descriptors,
            SupportsCancel: false, ReportsBalance: true,
            DefaultModel: models[0].Id, ModelRequired: false, ModelsAreComplete: true)
        {
            ModelsSource = "configured (Providers:Coals:Models; Coals documents one FLUX model)",
        });
    }

    /// <summary>Coals documents 2 credits per call; whether several images cost more is not documented (the reply's credits_charged settles it).</summary>
    public override decimal? EstimateCredits(GenerationRequest request, ProviderCapabilities capabilities) =>
        capabilities.FindModel(request.Model ?? capabilities.DefaultModel)?.CreditsPerCall;

    public override async Task<SubmitResult> SubmitAsync(GenerationRequest request, ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        var capabilities = await GetCapabilitiesAsync(credential, cancellationToken).ConfigureAwait(false);
        ThrowIfInvalid(request, capabilities);
        var model = Null(request.Model) ?? capabilities.DefaultModel;
        var body = new CoalsGenerateRequest(request.Prompt, OptInt(request, "width"), OptInt(request, "height"), request.NumImages);

        var reply = await SendAsync(ct => api.GenerateAsync(body, credential.Reveal(), ct), credential,
            isSubmission: true, cancellationToken, FieldName).ConfigureAwait(false);

        var items = Read(reply, root => root.ValueKind switch
        {
            JsonValueKind.Array => Wire<List<CoalsImage>>(root),
            JsonValueKind.Object when root.TryGetProperty("images", out var inner) && inner.ValueKind == JsonValueKind.Array => Wire<List<CoalsImage>>(inner),
            JsonValueKind.Object => [Wire<CoalsImage>(root)],
            _ => throw new JsonException("not an object or array"),
        }, isSubmission: true);
        var images = items.Where(i => !string.IsNullOrWhiteSpace(i.ImageUrl))
            .Select(i => new ProviderImage(i.ImageUrl!, i.Width, i.Height)).ToList();
        if (images.Count == 0) throw Unexpected("no image_url in the reply", isSubmission: true, reply.Status);

        var credits = items.Any(i => i.CreditsCharged is not null) ? items.Sum(i => i.CreditsCharged ?? 0) : (decimal?)null;
        var usd = credits * CoalsOptions.UsdPerCredit;
        var id = string.Join(",", items.Select(i => i.ImageId).Where(i => i is not null));
        var handle = new ProviderHandle(Id, Null(id), Images: images, Credits: credits, CostUsd: usd, Model: model, Finished: true);
        return new SubmitResult(handle, GenerationState.Succeeded, images, credits, usd, null);
    }

    /// <summary>Coals answers when the images exist: the handle holds the result.</summary>
    public override Task<PollResult> PollAsync(ProviderHandle handle, ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        if (handle.ProviderId != Id) throw HandleMismatch(handle);
        return Task.FromResult(new PollResult(GenerationState.Succeeded, 100, handle.ImagesOrEmpty, handle.Credits, handle.CostUsd, null, null));
    }

    /// <summary>GET quota (free). The body is not documented: the first number named like a remaining balance is taken.</summary>
    public async Task<CoalsQuota> GetQuotaAsync(ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(ct => api.GetQuotaAsync(credential.Reveal(), ct), credential, false, cancellationToken).ConfigureAwait(false);
        return Read(reply, root => new CoalsQuota(FindBalance(root), credential.Scrub(reply.Body)), false, "quota");
    }

    public override async Task<KeyCheckResult> CheckKeyAsync(ProviderCredential credential, CancellationToken cancellationToken = default)
    {
        try
        {
            var quota = await GetQuotaAsync(credential, cancellationToken).ConfigureAwait(false);
            return new KeyCheckResult(KeyCheckStatus.Valid,
                quota.CreditsRemaining is { } left
                    ? $"Coals accepted the key: {left.ToString("0.##", CultureInfo.InvariantCulture)} credits left."
                    : "Coals accepted the key.",
                quota.CreditsRemaining);
        }
        catch (ProviderException ex)
        {
            return KeyCheckFrom(ex);
        }
    }

    private static readonly string[] BalanceNames =
        ["credits_remaining", "remaining_credits", "remaining", "balance", "credits_left", "available", "credits"];

    internal static decimal? FindBalance(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        foreach (var container in new[] { "quota", "data", "credits" })
        {
            if (root.TryGetProperty(container, out var inner) && inner.ValueKind == JsonValueKind.Object && FindBalance(inner) is { } nested)
                return nested;
        }
        foreach (var name in BalanceNames)
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d)) return d;
        }
        return null;
    }

    private static string FieldName(string wire) => wire switch
    {
        "prompt" => "prompt",
        "num_images" => "numImages",
        _ => "options." + wire,
    };
}
