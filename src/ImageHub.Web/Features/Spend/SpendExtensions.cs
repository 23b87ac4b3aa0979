using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Spend.Budgets;
using ImageHub.Web.Features.Webhooks;

namespace ImageHub.Web.Features.Spend;

public static class SpendExtensions
{
    /// <summary>
    /// Spend control: the pricing service, the ledger's one writer (<see cref="LedgerCommitter"/>: budgets, rollup,
    /// alerts), the spend queries and export, reviews, budgets, webhooks (outbox dispatcher) and alert e-mail.
    /// </summary>
    public static IServiceCollection AddSpend(this IServiceCollection services)
    {
        services.AddScoped<PricingService>();
        services.AddScoped<IGenerationPricing>(sp => sp.GetRequiredService<PricingService>());
        services.AddScoped<SpendQuery>();
        services.AddScoped<SpendExport>();
        services.AddScoped<LedgerCommitter>();
        services.AddScoped<IGenerationLedger>(sp => sp.GetRequiredService<LedgerCommitter>());
        services.AddScoped<ReviewService>();
        services.AddScoped<BudgetService>();
        services.AddScoped<NotificationService>();

        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .Validate(o => o.MaxAttempts is >= 1 and <= 50, "Webhooks:MaxAttempts must be between 1 and 50.")
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Webhooks:PollInterval must be positive.")
            .Validate(o => o.RetryBaseDelay >= TimeSpan.Zero, "Webhooks:RetryBaseDelay cannot be negative.")
            .Validate(o => o.Timeout > TimeSpan.Zero, "Webhooks:Timeout must be positive.")
            .ValidateOnStart();
        services.AddSingleton<WebhookKeys>();
        services.AddSingleton<WebhookSignal>();
        services.AddScoped<WebhookService>();
        services.AddHttpClient(WebhookDispatcher.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookDispatcher.CreateHandler(sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<WebhookOptions>>()));
        services.AddHostedService<WebhookDispatcher>();

        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section)
            .Validate(o => !o.Enabled || o.Port is > 0 and < 65536, "Smtp:Port must be a TCP port (1–65535).")
            .Validate(o => !o.Enabled || System.Net.Mail.MailAddress.TryCreate(o.From, out _), "Smtp:From must be an e-mail address.")
            .ValidateOnStart();
        services.AddSingleton<AlertMailer>();
        services.AddHostedService<AlertMailSender>();
        return services;
    }
}
