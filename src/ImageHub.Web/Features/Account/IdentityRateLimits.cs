using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Account;

/// <summary><c>RateLimits:Identity:*</c>: how many login and registration attempts one client IP may post per window.</summary>
public sealed class IdentityRateLimitOptions
{
    public const string Section = "RateLimits:Identity";
    public int PermitLimit { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Login and registration form posts are rate-limited per client IP (the forwarded one behind a trusted proxy) with
/// ASP.NET Core's rate limiter: over the limit, 429 with Retry-After and a page saying when to try again.
/// </summary>
internal static class IdentityRateLimits
{
    private static readonly PathString[] LimitedPaths = ["/Account/Login", "/Account/Register"];

    public static IServiceCollection AddIdentityRateLimits(this IServiceCollection services)
    {
        services.AddOptions<IdentityRateLimitOptions>().BindConfiguration(IdentityRateLimitOptions.Section);
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (!HttpMethods.IsPost(http.Request.Method) || !LimitedPaths.Any(p => http.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
                {
                    return RateLimitPartition.GetNoLimiter("");
                }
                var settings = http.RequestServices.GetRequiredService<IOptions<IdentityRateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, settings.PermitLimit),
                    Window = settings.Window,
                    QueueLimit = 0,
                });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter
                    : context.HttpContext.RequestServices.GetRequiredService<IOptions<IdentityRateLimitOptions>>().Value.Window;
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync(
                    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts · ImageHub</title></head><body>" +
                    $"<h1>Too many attempts</h1><p>Too many login or registration attempts came from your network. Try again in {seconds} seconds.</p>" +
                    "<p><a href=\"/Account/Login\">Back to log in</a></p></body></html>", cancellationToken);
            };
        });
        return services;
    }
}
