namespace ImageHub.Providers;

public enum ProviderErrorKind
{
    InvalidRequest,
    Unauthorized,
    InsufficientCredits,
    Forbidden,
    RateLimited,
    ProviderFailure,
    Timeout,
    Network,
}

/// <summary>
/// Everything known about one failure, in one shape for all providers. <see cref="UserMessage"/> is what a
/// person reads ("Koala refused the key (401). Check the key in Keys."); <see cref="ProviderCode"/> and
/// <see cref="ProviderMessage"/> are what the provider said (scrubbed of the key).
/// <see cref="MayHaveBeenAccepted"/> is true when a generation POST was cut off after it was sent: the
/// provider may have accepted (and charged) it, so it must not be resent blindly.
/// </summary>
public sealed record ProviderError(
    string ProviderId,
    ProviderErrorKind Kind,
    string UserMessage,
    int? HttpStatus = null,
    string? ProviderCode = null,
    string? ProviderMessage = null,
    TimeSpan? RetryAfter = null,
    bool MayHaveBeenAccepted = false,
    IReadOnlyList<FieldError>? FieldErrors = null)
{
    public IReadOnlyList<FieldError> FieldErrorsOrEmpty => FieldErrors ?? [];
}

/// <summary>The one exception the provider clients throw for anything a provider (or the network to it) did wrong.</summary>
public sealed class ProviderException(ProviderError error, Exception? inner = null) : Exception(error.UserMessage, inner)
{
    public ProviderError Error { get; } = error;
    public ProviderErrorKind Kind => Error.Kind;
    public string ProviderId => Error.ProviderId;
    public TimeSpan? RetryAfter => Error.RetryAfter;
    public bool MayHaveBeenAccepted => Error.MayHaveBeenAccepted;
    public IReadOnlyList<FieldError> FieldErrors => Error.FieldErrorsOrEmpty;

    public override string ToString() =>
        $"{nameof(ProviderException)} [{Error.ProviderId} {Error.Kind}{(Error.HttpStatus is { } s ? " " + s : "")}" +
        $"{(Error.ProviderCode is { } c ? " " + c : "")}]: {Message}";
}
