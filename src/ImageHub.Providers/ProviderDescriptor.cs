namespace ImageHub.Providers;

/// <summary>Who a provider is (its <see cref="ProviderProfile"/>) and how its refusals read to a person.</summary>
internal sealed record ProviderDescriptor(
    ProviderProfile Profile,
    string ForbiddenHint,
    Func<string?, ProviderErrorKind?>? KindFromCode = null)
{
    public string Id => Profile.Id;

    public string DisplayName => Profile.DisplayName;
}
