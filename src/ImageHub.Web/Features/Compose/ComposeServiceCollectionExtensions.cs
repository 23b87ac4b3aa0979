namespace ImageHub.Web.Features.Compose;

public static class ComposeServiceCollectionExtensions
{
    /// <summary>The composer's and the gallery's own services (spend's: <see cref="Spend.SpendExtensions.AddSpend"/>).</summary>
    public static IServiceCollection AddComposePages(this IServiceCollection services)
    {
        services.AddScoped<ComposeCatalog>();
        services.AddScoped<ComposeCredentials>();
        services.AddScoped<PromptHistoryService>();
        services.AddScoped<Gallery.GalleryQuery>();
        return services;
    }
}
