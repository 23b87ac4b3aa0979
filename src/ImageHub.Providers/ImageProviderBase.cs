using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ImageHub.Providers.Resilience;
using Microsoft.Extensions.Logging;

namespace ImageHub.Providers;

/// <summary>
/// What the four clients share: validation driven by the capabilities (every problem, per field, naming what
/// is allowed), JSON reading that never lets a JsonException escape, and the send helpers.
/// </summary>
public abstract class ImageProviderBase : IImageProvider
{
    private protected ImageProviderBase(TimeProvider timeProvider, ILogger logger)
    {
        Time = timeProvider;
        Logger = logger;
    }

    private protected TimeProvider Time { get; }

    private protected ILogger Logger { get; }

    private protected abstract ProviderDescriptor Descriptor { get; }

    /// <summary>The provider's source-generated context of wire types (the same one its Refit client writes with).</summary>
    private protected abstract JsonSerializerContext WireContext { get; }

    public string Id => Descriptor.Id;

    public string DisplayName => Profile.DisplayName;

    public abstract ProviderProfile Profile { get; }

    /// <summary>None, unless the provider keeps option values in the key's account.</summary>
    public virtual Task<IReadOnlyDictionary<string, IReadOnlyList<OptionChoice>>> ListOptionChoicesAsync(ProviderCredential credential, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<OptionChoice>>>(new Dictionary<string, IReadOnlyList<OptionChoice>>());

    public abstract ValueTask<ProviderCapabilities> GetCapabilitiesAsync(ProviderCredential? credential = null, CancellationToken cancellationToken = default);

    public abstract decimal? EstimateCredits(GenerationRequest request, ProviderCapabilities capabilities);

    public abstract Task<SubmitResult> SubmitAsync(GenerationRequest request, ProviderCredential credential, CancellationToken cancellationToken = default);

    public abstract Task<PollResult> PollAsync(ProviderHandle handle, ProviderCredential credential, CancellationToken cancellationToken = default);

    public abstract Task<KeyCheckResult> CheckKeyAsync(ProviderCredential credential, CancellationToken cancellationToken = default);

    public virtual Task<PollResult> CancelAsync(ProviderHandle handle, ProviderCredential credential, CancellationToken cancellationToken = default) =>
        throw new ProviderException(new ProviderError(Id, ProviderErrorKind.InvalidRequest,
            $"{DisplayName} has no way to cancel a generation once it is submitted."));

    // ---------------------------------------------------------------- validation

    /// <summary>Model ids are short everywhere; a longer one is not a model (and must not reach storage).</summary>
    public const int MaxModelIdLength = 200;

    /// <summary>
    /// All options of one request together, as JSON (non-ASCII escaped, as the hub stores them). Each option has
    /// its own limit too; this one keeps a request that uses every list to the full within what the hub stores.
    /// </summary>
    public const int MaxOptionsJsonLength = 16_000;

    /// <summary>Qolaba's {url, description} reference images: the description's bound (undocumented; a safe one).</summary>
    public const int MaxItemDescriptionLength = 1_000;

    /// <summary>URLs the hub passes on: 2,048 characters, the bound browsers and Qolaba's docs use.</summary>
    public const int MaxUrlLength = 2_048;

    public IReadOnlyList<FieldError> Validate(GenerationRequest request, ProviderCapabilities capabilities)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(capabilities);
        var errors = new List<FieldError>();
        var name = DisplayName;

        var prompt = request.Prompt ?? "";
        if (string.IsNullOrWhiteSpace(prompt))
        {
            errors.Add(new("prompt", $"{name} needs a prompt."));
        }
        else if (prompt.Length > capabilities.MaxPromptLength)
        {
            errors.Add(new("prompt", $"{name} prompts can be at most {capabilities.MaxPromptLength:N0} characters; this one has {prompt.Length:N0}."));
        }

        ProviderModel? model = null;
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            if (capabilities.ModelRequired && capabilities.DefaultModel is null)
            {
                errors.Add(new("model", $"{name} needs a model: one of {List(capabilities.Models.Select(m => m.Id))}."));
            }
            model = capabilities.FindModel(capabilities.DefaultModel);
        }
        else
        {
            model = capabilities.FindModel(request.Model);
            if (model is null && (capabilities.ModelsAreComplete || capabilities.Models.Count > 0))
            {
                errors.Add(new("model", capabilities.Models.Count == 0
                    ? $"{name} has no model \"{request.Model}\"."
                    : $"{name} model must be one of {List(capabilities.Models.Select(m => m.Id))} (got \"{request.Model}\")."));
            }
        }

        if (request.Model is { Length: > MaxModelIdLength } longModel)
        {
            errors.Add(new("model", $"{name} model ids are at most {MaxModelIdLength} characters; this one has {longModel.Length:N0}."));
        }

        if (request.OptionsOrEmpty.Count > 0 && JsonSerializer.Serialize(request.OptionsOrEmpty).Length is var optionsLength && optionsLength > MaxOptionsJsonLength)
        {
            errors.Add(new("options", $"{name} options can be at most {MaxOptionsJsonLength:N0} characters of JSON together; these have {optionsLength:N0}. Send fewer or shorter values."));
        }

        var maxImages = Math.Min(model?.MaxImages ?? capabilities.MaxImages, capabilities.MaxImages);
        if (request.NumImages is { } n && (n < 1 || n > maxImages))
        {
            errors.Add(new("numImages", model?.MaxImages is not null && model.MaxImages < capabilities.MaxImages
                ? $"{name} numImages for model {model.Id} must be between 1 and {maxImages} (got {n})."
                : $"{name} numImages must be between 1 and {maxImages} (got {n})."));
        }

        foreach (var (optionName, value) in request.OptionsOrEmpty)
        {
            var descriptor = capabilities.FindOption(optionName);
            if (descriptor is null)
            {
                errors.Add(new($"options.{optionName}", capabilities.Options.Count == 0
                    ? $"{name} has no option \"{optionName}\"; it takes no options."
                    : $"{name} has no option \"{optionName}\". Its options are: {List(capabilities.Options.Select(o => o.Name))}."));
                continue;
            }
            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) continue;
            if (model?.UnsupportedOptions?.Contains(optionName) == true)
            {
                errors.Add(new($"options.{optionName}", $"{name} model {model.Id} does not take {optionName}."));
                continue;
            }
            ValidateOption(capabilities, descriptor, value, model, errors);
        }

        ValidateSpecific(request, capabilities, model, errors);
        return errors;
    }

    /// <summary>Checks that only a provider knows (e.g. Qolaba: seed on a model without seeds).</summary>
    private protected virtual void ValidateSpecific(GenerationRequest request, ProviderCapabilities capabilities, ProviderModel? model, List<FieldError> errors)
    {
    }

    private protected virtual int? MaxItemsFor(OptionDescriptor option, ProviderModel? model) => option.MaxItems;

    private void ValidateOption(ProviderCapabilities capabilities, OptionDescriptor option, JsonElement value, ProviderModel? model, List<FieldError> errors)
    {
        var field = $"options.{option.Name}";
        var name = DisplayName;
        switch (option.Kind)
        {
            case OptionKind.Enum:
            {
                var allowed = capabilities.AllowedValues(option, model);
                var modelSpecific = model is not null && !ReferenceEquals(allowed, option.AllowedValues);
                if (value.ValueKind != JsonValueKind.String)
                {
                    errors.Add(new(field, $"{name} {option.Name} must be text, one of {List(allowed ?? [])}."));
                }
                else if (option.MaxLength is { } enumMax && value.GetString()!.Length > enumMax)
                {
                    errors.Add(new(field, $"{name} {option.Name} can be at most {enumMax:N0} characters; this one has {value.GetString()!.Length:N0}."));
                }
                else if (allowed is { Count: > 0 } && !allowed.Contains(value.GetString()!, StringComparer.Ordinal))
                {
                    errors.Add(new(field, modelSpecific
                        ? $"{name} {option.Name} for model {model!.Id} must be one of {List(allowed)} (got \"{value.GetString()}\")."
                        : $"{name} {option.Name} must be one of {List(allowed)} (got \"{value.GetString()}\")."));
                }
                else if (allowed is { Count: 0 } && modelSpecific)
                {
                    errors.Add(new(field, $"{name} model {model!.Id} does not take {option.Name}."));
                }
                break;
            }
            case OptionKind.Int:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var whole))
                {
                    errors.Add(new(field, $"{name} {option.Name} must be a whole number{Range(option)}."));
                }
                else if ((option.Min is { } min && whole < min) || (option.Max is { } max && whole > max))
                {
                    errors.Add(new(field, $"{name} {option.Name} must be {RangeText(option)} (got {whole})."));
                }
                break;
            case OptionKind.Number:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var number))
                {
                    errors.Add(new(field, $"{name} {option.Name} must be a number{Range(option)}."));
                }
                else if ((option.Min is { } min && number < min) || (option.Max is { } max && number > max))
                {
                    errors.Add(new(field, $"{name} {option.Name} must be {RangeText(option)} (got {number.ToString(CultureInfo.InvariantCulture)})."));
                }
                break;
            case OptionKind.Bool:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add(new(field, $"{name} {option.Name} must be true or false."));
                }
                break;
            case OptionKind.String:
                if (value.ValueKind != JsonValueKind.String)
                {
                    errors.Add(new(field, $"{name} {option.Name} must be text."));
                }
                else if (option.MaxLength is { } maxLength && value.GetString()!.Length > maxLength)
                {
                    errors.Add(new(field, $"{name} {option.Name} can be at most {maxLength:N0} characters; this one has {value.GetString()!.Length:N0}."));
                }
                else if (option.ItemsAreUrls && !IsHttpUrl(value.GetString()))
                {
                    errors.Add(new(field, $"{name} {option.Name} must be an http(s) URL."));
                }
                break;
            case OptionKind.StringList:
            {
                if (value.ValueKind != JsonValueKind.Array)
                {
                    errors.Add(new(field, $"{name} {option.Name} must be a list."));
                    break;
                }
                var maxItems = MaxItemsFor(option, model);
                var count = value.GetArrayLength();
                if (maxItems is { } cap && count > cap)
                {
                    errors.Add(new(field, cap == 0 && model is not null
                        ? $"{name} model {model.Id} does not take {option.Name}."
                        : $"{name} {option.Name} can hold at most {cap} item(s) (got {count})."));
                }
                if (maxItems is { } listed && count > listed) break; // the count is the problem; items past it are not read one by one
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var text = ItemText(item);
                    if (text is null)
                    {
                        errors.Add(new($"{field}[{index}]", option.ItemsAreUrls
                            ? $"{name} {option.Name} items must be URLs (text){(AcceptsUrlObjects(option) ? " or {url, description}" : "")}."
                            : $"{name} {option.Name} items must be text."));
                    }
                    else if (option.MaxLength is { } itemMax && text.Length > itemMax)
                    {
                        errors.Add(new($"{field}[{index}]", $"{name} {option.Name} items can be at most {itemMax:N0} characters; item {index + 1} has {text.Length:N0}."));
                    }
                    else if (ItemDescription(item) is { Length: > MaxItemDescriptionLength } description)
                    {
                        errors.Add(new($"{field}[{index}]", $"{name} {option.Name} descriptions can be at most {MaxItemDescriptionLength:N0} characters; item {index + 1} has {description.Length:N0}."));
                    }
                    else if (option.ItemsAreUrls && !IsHttpUrl(text))
                    {
                        errors.Add(new($"{field}[{index}]", $"{name} {option.Name} items must be http(s) URLs (got \"{Short(text)}\")."));
                    }
                    else if (!option.ItemsAreUrls && string.IsNullOrWhiteSpace(text))
                    {
                        errors.Add(new($"{field}[{index}]", $"{name} {option.Name} items cannot be empty."));
                    }
                    index++;
                }
                break;

                string? ItemDescription(JsonElement item) =>
                    item.ValueKind == JsonValueKind.Object && item.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;

                string? ItemText(JsonElement item) => item.ValueKind switch
                {
                    JsonValueKind.String => item.GetString(),
                    JsonValueKind.Object when AcceptsUrlObjects(option) && item.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String => url.GetString(),
                    _ => null,
                };
            }
        }
    }

    /// <summary>Qolaba's reference_images are {url, description?} objects; bare URLs are accepted too.</summary>
    private protected virtual bool AcceptsUrlObjects(OptionDescriptor option) => false;

    private static string Range(OptionDescriptor option) =>
        option.Min is null && option.Max is null ? "" : $" ({RangeText(option)})";

    private static string RangeText(OptionDescriptor option) => (option.Min, option.Max) switch
    {
        ({ } min, { } max) => $"between {Num(min)} and {Num(max)}",
        ({ } min, null) => $"at least {Num(min)}",
        (null, { } max) => $"at most {Num(max)}",
        _ => "a number",
    };

    private static string Num(decimal d) => d.ToString("0.##########", CultureInfo.InvariantCulture);

    private protected static string List(IEnumerable<string> values) => string.Join(", ", values);

    private static string Short(string text) => text.Length > 60 ? text[..60] + "…" : text;

    internal static bool IsHttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>Throws an InvalidRequest <see cref="ProviderException"/> with every field error when the request cannot be sent.</summary>
    private protected void ThrowIfInvalid(GenerationRequest request, ProviderCapabilities capabilities)
    {
        var errors = Validate(request, capabilities);
        if (errors.Count == 0) return;
        throw new ProviderException(new ProviderError(Id, ProviderErrorKind.InvalidRequest,
            $"The request cannot be sent to {DisplayName}: {string.Join(" ", errors.Select(e => e.Message))}",
            FieldErrors: errors));
    }

    // ---------------------------------------------------------------- options and JSON

    private protected static string? OptString(GenerationRequest request, string name) =>
        request.OptionsOrEmpty.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private protected static long? OptLong(GenerationRequest request, string name) =>
        request.OptionsOrEmpty.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : null;

    private protected static int? OptInt(GenerationRequest request, string name) =>
        OptLong(request, name) is { } l && l is >= int.MinValue and <= int.MaxValue ? (int)l : null;

    private protected static decimal? OptDecimal(GenerationRequest request, string name) =>
        request.OptionsOrEmpty.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d) ? d : null;

    private protected static bool? OptBool(GenerationRequest request, string name) =>
        request.OptionsOrEmpty.TryGetValue(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private protected static IReadOnlyList<string>? OptStrings(GenerationRequest request, string name) =>
        request.OptionsOrEmpty.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!).ToList()
            : null;

    private protected static string? Null(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>Runs one call of the provider's Refit interface, and maps any non-2xx reply (3xx included: redirects are never followed) to a <see cref="ProviderException"/> in the one error shape.</summary>
    private protected async Task<ProviderReply> SendAsync(Func<CancellationToken, Task<HttpResponseMessage>> call, ProviderCredential credential,
        bool isSubmission, CancellationToken cancellationToken, Func<string, string>? fieldName = null)
    {
        var reply = await ProviderCall.SendAsync(Descriptor, call, isSubmission, Time, Logger, cancellationToken).ConfigureAwait(false);
        if (!reply.IsSuccess)
        {
            throw new ProviderException(ProviderErrors.FromReply(Descriptor, reply, credential, isSubmission, fieldName));
        }
        return reply;
    }

    /// <summary>Parses a successful reply; malformed JSON becomes a ProviderFailure (MayHaveBeenAccepted after a submission).</summary>
    private protected T Read<T>(ProviderReply reply, Func<JsonElement, T> read, bool isSubmission, string what = "reply")
    {
        try
        {
            using var doc = JsonDocument.Parse(reply.Body);
            return read(doc.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new ProviderException(ProviderErrors.Malformed(Descriptor, reply, isSubmission, what), ex);
        }
    }

    private protected T Wire<T>(JsonElement element) =>
        (T)(element.Deserialize(WireContext.GetTypeInfo(typeof(T))
            ?? throw new NotSupportedException($"{typeof(T).Name} is missing from {WireContext.GetType().Name}.")) ?? throw new JsonException("null"));

    private protected ProviderException Unexpected(string what, bool isSubmission = false, int? status = null) =>
        new(new ProviderError(Id, ProviderErrorKind.ProviderFailure,
            isSubmission
                ? $"{DisplayName} accepted the submission but answered in an unexpected shape ({what}). It may have been charged; check it before retrying."
                : $"{DisplayName} answered in an unexpected shape ({what}). Try again later.",
            status, MayHaveBeenAccepted: isSubmission));

    private protected ProviderException HandleMismatch(ProviderHandle handle) =>
        new(new ProviderError(Id, ProviderErrorKind.InvalidRequest,
            $"This stored handle belongs to {handle.ProviderId}, not {DisplayName}."));

    private protected KeyCheckResult KeyCheckFrom(ProviderException ex) => ex.Kind switch
    {
        ProviderErrorKind.Unauthorized => new KeyCheckResult(KeyCheckStatus.Invalid, ex.Message, Error: ex.Error),
        ProviderErrorKind.Forbidden => new KeyCheckResult(KeyCheckStatus.Invalid, ex.Message, Error: ex.Error),
        _ => new KeyCheckResult(KeyCheckStatus.Error, ex.Message, Error: ex.Error),
    };
}
