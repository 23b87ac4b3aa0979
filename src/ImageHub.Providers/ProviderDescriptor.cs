namespace ImageHub.Providers;

/// <summary>Who a provider is and how its refusals read to a person.</summary>
internal sealed record ProviderDescriptor(
    string Id,
    string DisplayName,
    string ForbiddenHint,
    Func<string?, ProviderErrorKind?>? KindFromCode = null);
