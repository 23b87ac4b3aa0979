using ImageHub.Providers.Coals;
using ImageHub.Providers.Images;
using ImageHub.Providers.Koala;
using ImageHub.Providers.Kolbo;
using ImageHub.Providers.Qolaba;
using ImageHub.Providers.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImageHub.Providers;

public static class ProvidersServiceCollectionExtensions
{
    /// <summary>
    /// Registers the four clients (typed HttpClients, each also an <see cref="IImageProvider"/>), the
    /// <see cref="IProviderRegistry"/>, the <see cref="IImageFetcher"/>, the per-provider resilience pipelines and
    /// the options bound from <c>Providers</c> (<c>Providers:Koala</c>, <c>:Qolaba</c>, <c>:Coals</c>, <c>:Kolbo</c>).
    /// </summary>
    public static IServiceCollection AddImageHubProviders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ProvidersOptions>().Bind(configuration.GetSection(ProvidersOptions.SectionName));
        services.AddOptions<KoalaOptions>().Bind(configuration.GetSection(KoalaOptions.SectionName));
        services.AddOptions<QolabaOptions>().Bind(configuration.GetSection(QolabaOptions.SectionName))
            .Validate(o => o.AuthHeader is "X-API-Key" or "Bearer" || string.Equals(o.AuthHeader, "bearer", StringComparison.OrdinalIgnoreCase)
                || string.Equals(o.AuthHeader, "x-api-key", StringComparison.OrdinalIgnoreCase),
                "Providers:Qolaba:AuthHeader must be \"X-API-Key\" or \"Bearer\".");
        services.AddOptions<CoalsOptions>().Bind(configuration.GetSection(CoalsOptions.SectionName));
        services.AddOptions<KolboOptions>().Bind(configuration.GetSection(KolboOptions.SectionName));

        services.TryAddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddLogging();
        services.TryAddSingleton<ProviderPipelines>();

        services.AddHttpClient<KoalaClient>(ConfigureProviderClient);
        services.AddHttpClient<QolabaClient>(ConfigureProviderClient);
        services.AddHttpClient<CoalsClient>(ConfigureProviderClient);
        services.AddHttpClient<KolboClient>(ConfigureProviderClient);
        services.AddTransient<IImageProvider>(sp => sp.GetRequiredService<KoalaClient>());
        services.AddTransient<IImageProvider>(sp => sp.GetRequiredService<QolabaClient>());
        services.AddTransient<IImageProvider>(sp => sp.GetRequiredService<CoalsClient>());
        services.AddTransient<IImageProvider>(sp => sp.GetRequiredService<KolboClient>());
        services.TryAddTransient<IProviderRegistry, ProviderRegistry>();

        services.AddHttpClient<IImageFetcher, ImageFetcher>(ImageFetcher.HttpClientName, http =>
            {
                http.Timeout = Timeout.InfiniteTimeSpan; // the fetcher applies ImageFetch:Timeout itself
                http.DefaultRequestHeaders.UserAgent.ParseAdd("ImageHub/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => ImageFetcher.CreateHandler(sp.GetRequiredService<IOptionsMonitor<ProvidersOptions>>()));
        return services;
    }

    /// <summary>Points the four clients at other base URLs after configuration (the web app's sandbox mode).</summary>
    public static IServiceCollection ConfigureProviderBaseUrls(this IServiceCollection services, Uri koala, Uri qolaba, Uri coals, Uri kolbo)
    {
        services.PostConfigure<KoalaOptions>(o => o.BaseUrl = koala);
        services.PostConfigure<QolabaOptions>(o => o.BaseUrl = qolaba);
        services.PostConfigure<CoalsOptions>(o => o.BaseUrl = coals);
        services.PostConfigure<KolboOptions>(o => o.BaseUrl = kolbo);
        return services;
    }

    private static void ConfigureProviderClient(IServiceProvider services, HttpClient http)
    {
        var options = services.GetRequiredService<IOptionsMonitor<ProvidersOptions>>().CurrentValue;
        http.Timeout = Timeout.InfiniteTimeSpan; // per-attempt timeouts come from the resilience pipeline
        http.MaxResponseContentBufferSize = options.Resilience.MaxResponseBytes;
        http.DefaultRequestHeaders.UserAgent.ParseAdd("ImageHub/1.0");
    }
}
