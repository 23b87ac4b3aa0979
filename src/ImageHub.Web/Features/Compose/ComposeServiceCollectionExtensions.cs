namespace ImageHub.Web.Features.Compose;

public static class ComposeServiceCollectionExtensions
{
    /// <summary>The composer's, the gallery's and the spend page's own services (the pages of issue 5).</summary>
    public static IServiceCollection AddComposePages(this IServiceCollection services)
    {
        services.AddScoped<ComposeCatalog>();
        services.AddScoped<ComposeCredentials>();
        services.AddScoped<PromptHistoryService>();
        services.AddScoped<Gallery.GalleryQuery>();
        services.AddScoped<Spend.SpendQuery>();
        return services;
    }
}
