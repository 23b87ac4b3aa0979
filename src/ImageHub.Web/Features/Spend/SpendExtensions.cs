namespace ImageHub.Web.Features.Spend;

public static class SpendExtensions
{
    /// <summary>Spend: the pricing service (USD per credit, Koala's model prices) and the spend page's queries. The ledger itself is <see cref="Ledger"/>.</summary>
    public static IServiceCollection AddSpend(this IServiceCollection services)
    {
        services.AddScoped<PricingService>();
        services.AddScoped<SpendQuery>();
        return services;
    }
}
