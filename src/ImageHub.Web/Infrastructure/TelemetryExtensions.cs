using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ImageHub.Web.Infrastructure;

/// <summary><c>Telemetry:*</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Serve the metrics for Prometheus at <c>/metrics</c> (keep it inside your network: it is not authenticated).</summary>
    public bool Prometheus { get; set; }

    /// <summary>An OTLP collector (e.g. http://otel-collector:4317) that receives traces and metrics; empty: none are sent.</summary>
    public Uri? OtlpEndpoint { get; set; }
}

public static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics (the hub's own, ASP.NET Core's, HttpClient's, the runtime's) and traces (requests, provider
    /// calls, the hub's spans), exported to Prometheus and/or OTLP as <see cref="TelemetryOptions"/> says; one log line per
    /// outgoing call (<see cref="ProviderCallHandler"/>); the open-circuit count.
    /// </summary>
    public static IServiceCollection AddImageHubTelemetry(this IServiceCollection services)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.OtlpEndpoint is null || o.OtlpEndpoint.IsAbsoluteUri, "Telemetry:OtlpEndpoint must be an absolute URL, e.g. http://otel-collector:4317.")
            .ValidateOnStart();
        services.AddSingleton<ImageHubMetrics>();
        services.AddScoped<CircuitHandler, CircuitMetricsHandler>();
        services.ConfigureHttpClientDefaults(http => http.RemoveAllLoggers());
        services.AddSingleton<Microsoft.Extensions.Http.IHttpMessageHandlerBuilderFilter, ProviderCallLoggingFilter>();

        // Which exporters run is read when the providers are built (tests and hosts supply configuration late). With
        // neither Prometheus nor OTLP on, no meter is listened to and nothing is sampled: the instruments cost nothing.
        services.AddOpenTelemetry().ConfigureResource(r => r.AddService("imagehub"))
            .WithMetrics(metrics => metrics
                .AddPrometheusExporter()
                .AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(ImageHubMetrics.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/_blazor") && !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation());
        services.ConfigureOpenTelemetryMeterProvider((sp, builder) =>
        {
            var options = sp.GetRequiredService<IOptions<TelemetryOptions>>().Value;
            if (!options.Prometheus && options.OtlpEndpoint is null) return;
            builder.AddMeter(ImageHubMetrics.Name);
            if (options.OtlpEndpoint is { } endpoint)
                builder.AddReader(new PeriodicExportingMetricReader(new OtlpMetricExporter(new OtlpExporterOptions { Endpoint = endpoint })));
        });
        services.ConfigureOpenTelemetryTracerProvider((sp, builder) =>
        {
            if (sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.OtlpEndpoint is { } endpoint)
                builder.AddProcessor(new BatchActivityExportProcessor(new OtlpTraceExporter(new OtlpExporterOptions { Endpoint = endpoint })));
            else
                builder.SetSampler(new AlwaysOffSampler());
        });
        return services;
    }

    /// <summary><c>/metrics</c> when <c>Telemetry:Prometheus</c> is true; otherwise nothing (a 404).</summary>
    public static WebApplication MapImageHubTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.Prometheus)}"))
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }
        return app;
    }
}

/// <summary>Counts this instance's open circuits (<see cref="ImageHubMetrics.CircuitOpened"/>).</summary>
internal sealed class CircuitMetricsHandler(ImageHubMetrics metrics) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
