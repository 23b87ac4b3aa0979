using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ImageHub.Web;

/// <summary>
/// The one mapping of <see cref="Failure"/> to RFC 7807 problem details, and of what goes wrong outside an
/// operation (an unreadable or unknown-field body, an unexpected exception) to the same problems.
/// </summary>
public static partial class OutcomeHttp
{
    /// <summary>The problem type of a submission a hard budget refused.</summary>
    public const string BudgetExceededType = "https://imagehub.dev/problems/budget-exceeded";

    /// <summary>The problem for <paramref name="failure"/>: 400 with <c>errors</c> per field, 401, 403, 404 or 409.</summary>
    public static ProblemHttpResult ToProblem(this Failure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (failure.Kind == FailureKind.Invalid)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(failure.FieldMessages.ToDictionary(e => e.Key, e => e.Value))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request has problems",
                Detail = failure.Message,
            });
        }
        if (failure.Kind == FailureKind.BudgetExceeded)
        {
            var problem = new ProblemDetails
            {
                Status = StatusCodes.Status402PaymentRequired,
                Type = BudgetExceededType,
                Title = "Over budget",
                Detail = failure.Message,
            };
            foreach (var (key, value) in failure.Extensions ?? new Dictionary<string, object?>()) problem.Extensions[key] = value;
            return TypedResults.Problem(problem);
        }
        var (status, title) = failure.Kind switch
        {
            FailureKind.Unauthorized => (StatusCodes.Status401Unauthorized, "Sign in first"),
            FailureKind.Forbidden => (StatusCodes.Status403Forbidden, "Not allowed"),
            FailureKind.NotFound => (StatusCodes.Status404NotFound, "Not found"),
            _ => (StatusCodes.Status409Conflict, "Not possible now"),
        };
        return TypedResults.Problem(new ProblemDetails { Status = status, Title = title, Detail = failure.Message });
    }

    /// <summary>
    /// The problem for a request the endpoint never saw: a body that is not JSON, has a wrong type, or names a field
    /// the endpoint does not know (the JSON options disallow unmapped members). Null when it is not such a request.
    /// </summary>
    public static Failure? FromBadRequest(BadHttpRequestException exception, Type? bodyType = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return Failure.Invalid("body", "Send the body as JSON (Content-Type: application/json).");
        }
        if (exception.InnerException is JsonException json)
        {
            var field = json.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            if (json.Message.Contains("could not be mapped", StringComparison.Ordinal) && UnmappedName().Match(json.Message) is { Success: true } unmapped)
            {
                var name = field == "body" ? unmapped.Groups[1].Value : field;
                return Failure.Invalid(name, $"\"{name}\" is not part of the request; remove it (field names are camelCase, as /openapi/v1.json lists them).");
            }
            if (json.Message.Contains("could not be converted", StringComparison.Ordinal) && field != "body")
            {
                return Failure.Invalid(field, $"{field} must be {Expected(bodyType, field)}.");
            }
            return Failure.Invalid("body", "The body is not valid JSON: send one JSON object with the fields /openapi/v1.json lists.");
        }
        if (exception.Message.Contains("body was not provided", StringComparison.OrdinalIgnoreCase)
            || exception.Message.Contains("Implicit body inferred", StringComparison.Ordinal))
        {
            return Failure.Invalid("body", "Send a JSON object as the body.");
        }
        if (ParameterName().Match(exception.Message) is { Success: true } parameter)
        {
            var name = parameter.Groups[1].Value;
            return Failure.Invalid(name, $"{name} has a value this endpoint cannot read; see /openapi/v1.json.");
        }
        return Failure.Invalid("body", "The request could not be read; see /openapi/v1.json.");
    }

    /// <summary>What a value of the body's field <paramref name="field"/> looks like, in words.</summary>
    private static string Expected(Type? bodyType, string field)
    {
        var name = field.Split('.', '[')[0];
        var property = bodyType?.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            null => "of the type /openapi/v1.json gives",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time, e.g. \"2026-12-31T00:00:00Z\"",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(decimal) || type == typeof(double) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(Guid) => "an id (a GUID)",
            _ when type == typeof(string) => "text (a JSON string)",
            _ => "a JSON object",
        };
    }

    /// <summary>
    /// The API's error model: problem details for every failure (with a traceId), the handler for what escapes an
    /// endpoint, and one JSON strictness for every endpoint's body: a field the request does not have is an error.
    /// </summary>
    public static IServiceCollection AddImageHubErrors(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddTransient<IStartupFilter, ApiStatusProblems>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow);
        // A body or parameter the endpoint cannot read throws, so ApiExceptionHandler answers with the field named.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    [GeneratedRegex("JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedName();

    [GeneratedRegex("""parameter "[^"]*? (\w+)" from""")]
    private static partial Regex ParameterName();
}

/// <summary>
/// Turns what escapes an endpoint into a problem: an unreadable request (anywhere, a form post too) into a 400 naming
/// the field, anything else under /api into a 500 with a traceId and no detail (logged). Pages keep their error page.
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var api = httpContext.Request.Path.StartsWithSegments("/api");
        if (!api && exception is not BadHttpRequestException) return false; // pages keep their error page
        ProblemDetails problem;
        // The handler runs with the endpoint cleared; the feature keeps the one that failed (and its body type).
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
        var bodyType = endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;
        if (exception is BadHttpRequestException bad && OutcomeHttp.FromBadRequest(bad, bodyType) is { } failure)
        {
            var result = failure.ToProblem();
            problem = result.ProblemDetails;
            httpContext.Response.StatusCode = result.StatusCode;
        }
        else
        {
            logger.LogError(exception, "An API request failed: {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Something went wrong",
                Detail = "ImageHub could not finish this request. Try again; if it keeps failing, give your administrator the traceId.",
            };
            httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}

/// <summary>
/// An /api response that ends in an error status with no body (a 415 from body binding, a 401/403 from the cookie
/// scheme, a 404 for a route that does not exist) gets the problem for that status, so API clients always read one.
/// </summary>
internal sealed class ApiStatusProblems : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, inner) =>
        {
            await inner(http);
            var response = http.Response;
            if (!http.Request.Path.StartsWithSegments("/api") || response.HasStarted || response.StatusCode < 400
                || response.ContentLength is > 0 || response.ContentType is not null) return;
            var failure = response.StatusCode switch
            {
                StatusCodes.Status415UnsupportedMediaType => Failure.Invalid("body", "Send the body as JSON (Content-Type: application/json)."),
                StatusCodes.Status401Unauthorized => Failure.Unauthorized("Sign in first, or send Authorization: Bearer <token> (make one at /settings/tokens)."),
                StatusCodes.Status403Forbidden => Failure.Forbidden("This account or token may not do that in this workspace."),
                StatusCodes.Status404NotFound => Failure.NotFound("There is no such API route; /openapi/v1.json lists them."),
                StatusCodes.Status405MethodNotAllowed => Failure.NotFound("This route does not take that method; /openapi/v1.json lists them."),
                _ => null,
            };
            if (failure is null) return;
            var status = response.StatusCode;
            var problem = failure.ToProblem().ProblemDetails;
            (problem.Status, problem.Type, problem.Title) = (status, null, null); // the status's own type and title
            await http.RequestServices.GetRequiredService<IProblemDetailsService>()
                .TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
        });
        next(app);
    };
}
