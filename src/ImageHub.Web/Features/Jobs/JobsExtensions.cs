using ImageHub.Web.Features.Spend;

namespace ImageHub.Web.Features.Jobs;

public static class JobsExtensions
{
    /// <summary>Generations: the service the composer and the API call, the worker, the notifier, pricing and the ledger.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpContextAccessor();
        services.AddScoped<Account.ICurrentUser, Account.CurrentUser>();
        services.AddSingleton<GenerationNotifier>();
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor, GenerationChangePublisher>();
        services.AddSingleton<JobSignal>();
        services.AddScoped<GenerationService>();
        services.AddScoped<GenerationRunner>();
        services.AddScoped<PricingService>();
        services.AddScoped<IGenerationKeys, KeyVaultGenerationKeys>();
        services.AddSingleton<JobWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        return services;
    }

    /// <summary><c>/images/{id}</c> and <c>/images/{id}/thumb</c>.</summary>
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app) => app.MapImageEndpoints();
}
