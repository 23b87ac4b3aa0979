namespace ImageHub.Providers;

/// <summary>How a provider authenticates and how its refusals read to a person.</summary>
internal sealed record ProviderDescriptor(
    string Id,
    string DisplayName,
    Action<HttpRequestMessage, ProviderCredential> Authorize,
    string ForbiddenHint,
    Func<string?, ProviderErrorKind?>? KindFromCode = null);
