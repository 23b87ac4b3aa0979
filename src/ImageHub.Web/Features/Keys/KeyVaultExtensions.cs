namespace ImageHub.Web.Features.Keys;

public static class KeyVaultExtensions
{
    /// <summary>The key vault: protector, vault, resolver.</summary>
    public static IServiceCollection AddKeyVault(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<ProviderKeyProtector>();
        services.AddScoped<KeyVault>();
        services.AddScoped<KeyResolver>();
        return services;
    }
}
