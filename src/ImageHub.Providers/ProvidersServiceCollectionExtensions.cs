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
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using System.Text.Json.Serialization;
using Refit;

namespace ImageHub.Providers;

public static class ProvidersServiceCollectionExtensions
{
    /// <summary>
    /// Registers the four clients (typed HttpClients, each also an <see cref="IImageProvider"/>), the
    /// <see cref="IProviderRegistry"/>, the <see cref="IImageFetcher"/>, the per-key resilience handlers and
    /// the options bound from <c>Providers</c> (<c>Providers:Koala</c>, <c>:Qolaba</c>, <c>:Coals</c>, <c>:Kolbo</c>).
    /// </summary>
    public static IServiceCollection AddImageHubProviders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // The endpoint options are validated at first use, not at start: the app's sandbox mode sets their base
        // URLs after configuration, from a sandbox that starts with the host.
        services.AddOptions<ProvidersOptions>().Bind(configuration.GetSection(ProvidersOptions.SectionName))
            .Validate(o => o.Resilience.MaxRetries >= 0, "Providers:Resilience:MaxRetries must be 0 or more.")
            .Validate(o => o.Resilience.SubmitTimeout > TimeSpan.Zero && o.Resilience.ReadTimeout > TimeSpan.Zero,
                "Providers:Resilience:SubmitTimeout and ReadTimeout must be longer than zero.")
            .Validate(o => o.Resilience.BreakerFailureRatio is > 0 and <= 1, "Providers:Resilience:BreakerFailureRatio must be above 0 and at most 1.")
            .ValidateOnStart();
        services.AddOptions<KoalaOptions>().Bind(configuration.GetSection(KoalaOptions.SectionName));
        services.AddOptions<QolabaOptions>().Bind(configuration.GetSection(QolabaOptions.SectionName))
            .Validate(o => o.AuthHeader is "X-API-Key" or "Bearer" || string.Equals(o.AuthHeader, "bearer", StringComparison.OrdinalIgnoreCase)
                || string.Equals(o.AuthHeader, "x-api-key", StringComparison.OrdinalIgnoreCase),
                "Providers:Qolaba:AuthHeader must be \"X-API-Key\" or \"Bearer\".");
        services.AddOptions<CoalsOptions>().Bind(configuration.GetSection(CoalsOptions.SectionName));
        services.AddOptions<KolboOptions>().Bind(configuration.GetSection(KolboOptions.SectionName))
            .Validate(o => o.GenerationsPerMinute >= 0, "Providers:Kolbo:GenerationsPerMinute must be 0 (no limit) or more.");

        services.TryAddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddLogging();

        AddApi<IKoalaApi, KoalaOptions>(services, KoalaJson.Default, ProviderIds.Koala);
        AddApi<IQolabaApi, QolabaOptions>(services, QolabaJson.Default, ProviderIds.Qolaba);
        AddApi<ICoalsApi, CoalsOptions>(services, CoalsJson.Default, ProviderIds.Coals);
        AddApi<IKolboApi, KolboOptions>(services, KolboJson.Default, ProviderIds.Kolbo,
            sp => sp.GetRequiredService<IOptionsMonitor<KolboOptions>>().CurrentValue.GenerationsPerMinute);

        services.AddTransient(sp => new KoalaClient(sp.GetRequiredService<IKoalaApi>(), sp.GetRequiredService<IOptionsMonitor<KoalaOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KoalaClient>>()));
        services.AddTransient(sp => new QolabaClient(sp.GetRequiredService<IQolabaApi>(), sp.GetRequiredService<IOptionsMonitor<QolabaOptions>>(),
            sp.GetRequiredService<IMemoryCache>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<QolabaClient>>()));
        services.AddTransient(sp => new CoalsClient(sp.GetRequiredService<ICoalsApi>(), sp.GetRequiredService<IOptionsMonitor<CoalsOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CoalsClient>>()));
        services.AddTransient(sp => new KolboClient(sp.GetRequiredService<IKolboApi>(), sp.GetRequiredService<IOptionsMonitor<KolboOptions>>(),
            sp.GetRequiredService<IMemoryCache>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KolboClient>>()));
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
            .ConfigurePrimaryHttpMessageHandler(sp => ImageFetcher.CreateHandler(sp.GetRequiredService<IOptionsMonitor<ProvidersOptions>>()))
            .AddImageFetchRetry();
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

    /// <summary>
    /// One provider's Refit client: source-generated, JSON through the provider's own context, bodies buffered
    /// (sent with Content-Length, never chunked), redirects never followed (a 3xx is a provider error, so a key
    /// never reaches another address), and the per-key resilience handler.
    /// </summary>
    private static void AddApi<TApi, TOptions>(IServiceCollection services, JsonSerializerContext json, string providerId,
        Func<IServiceProvider, int>? submissionsPerMinute = null)
        where TApi : class
        where TOptions : ProviderEndpointOptions
    {
        services.AddRefitGeneratedClient<TApi>(json, _ => new RefitSettings(new SystemTextJsonContentSerializer(json.Options)) { Buffered = true })
            .ConfigureHttpClient((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptionsMonitor<ProvidersOptions>>().CurrentValue;
                http.BaseAddress = sp.GetRequiredService<IOptionsMonitor<TOptions>>().CurrentValue.BaseUrl;
                http.Timeout = Timeout.InfiniteTimeSpan; // per-attempt timeouts come from the resilience handler
                http.MaxResponseContentBufferSize = options.Resilience.MaxResponseBytes;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("ImageHub/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddProviderResilience(providerId, submissionsPerMinute);
    }
}
