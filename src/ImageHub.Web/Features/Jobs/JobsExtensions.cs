namespace ImageHub.Web.Features.Jobs;

public static class JobsExtensions
{
    /// <summary>Generations: the service the composer and the API call, the worker and the notifier (pricing and the ledger come from the spend feature: <see cref="IGenerationPricing"/>, <see cref="IGenerationLedger"/>).</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpContextAccessor();
        services.AddScoped<Account.ICurrentUser, Account.CurrentUser>();
        services.AddSingleton<GenerationNotifier>();
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor, GenerationChangePublisher>();
        services.AddSingleton<JobSignal>();
        services.AddSingleton<GenerationCancelSignal>();
        services.AddScoped<GenerationService>();
        services.AddScoped<GenerationRunner>();
        services.AddScoped<IGenerationKeys, KeyVaultGenerationKeys>();
        services.AddSingleton<JobWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        return services;
    }
}
