using System.Text.Json;
using ImageHub.Sandbox.Infrastructure;

namespace ImageHub.Sandbox.Control;

internal sealed record ControlError(string Error, IReadOnlyDictionary<string, List<string>>? Errors = null);

internal sealed record FaultQueued(string Provider, string Kind, int Count, string? OnlyPath);

/// <summary>
/// Control endpoints for people and other processes: read an account (and its charge log), set a balance, queue a fault,
/// read or clear the recorded requests. Not recorded themselves.
/// </summary>
internal static class ControlApi
{
    public static void Map(RouteGroupBuilder group, SandboxState state)
    {
        group.MapGet("accounts/{provider}/{key}", (string provider, string key) =>
            SandboxProviders.IsKnown(provider)
                ? Results.Json(state.Account(provider, key).Snapshot(), WireJson.Camel)
                : UnknownProvider(provider));

        group.MapGet("accounts/{provider}/{key}/charges", (string provider, string key) =>
            SandboxProviders.IsKnown(provider)
                ? Results.Json(state.Account(provider, key).Charges, WireJson.Camel)
                : UnknownProvider(provider));

        group.MapPut("accounts/{provider}/{key}/balance", async (HttpContext context, string provider, string key) =>
        {
            if (!SandboxProviders.IsKnown(provider))
            {
                return UnknownProvider(provider);
            }

            var fields = await ReadAsync(context);
            if (fields.Fields is null)
            {
                return Invalid(fields.Problem!);
            }

            var credits = fields.Fields.Number("credits");
            if (credits is null && fields.Fields.IsValid)
            {
                fields.Fields.Error("credits", "credits is required (a number of credits, 0 or more).");
            }
            else if (credits < 0)
            {
                fields.Fields.Error("credits", $"credits must be 0 or more (was {credits}).");
            }

            if (!fields.Fields.IsValid)
            {
                return Invalid(fields.Fields);
            }

            state.SetBalance(provider, key, credits!.Value);
            return Results.Json(state.Account(provider, key).Snapshot(), WireJson.Camel);
        });

        group.MapPost("faults", async (HttpContext context) =>
        {
            var (fields, problem) = await ReadAsync(context);
            if (fields is null)
            {
                return Invalid(problem!);
            }

            var provider = fields.String("provider");
            if (!SandboxProviders.IsKnown(provider))
            {
                fields.Error("provider", $"provider must be one of: {string.Join(", ", SandboxProviders.All)}.");
            }

            var key = fields.String("key");
            if (string.IsNullOrEmpty(key))
            {
                fields.Error("key", "key is required (the API key the fault is for).");
            }

            var kindText = fields.String("kind");
            SandboxFaultKind kind = default;
            if (kindText is null || !Enum.TryParse(kindText, ignoreCase: true, out kind) || !Enum.IsDefined(kind) || int.TryParse(kindText, out _))
            {
                fields.Error("kind", $"kind must be one of: {string.Join(", ", Enum.GetNames<SandboxFaultKind>())}.");
            }

            var count = fields.Int("count") ?? 1;
            if (count < 1)
            {
                fields.Error("count", "count must be at least 1.");
            }

            var retryAfter = fields.Int("retryAfterSeconds") ?? 1;
            if (retryAfter < 0)
            {
                fields.Error("retryAfterSeconds", "retryAfterSeconds must be 0 or more.");
            }

            var delayMs = fields.Int("delayMs");
            if (delayMs < 0)
            {
                fields.Error("delayMs", "delayMs must be 0 or more.");
            }

            var onlyPath = fields.String("onlyPath");
            if (!fields.IsValid)
            {
                return Invalid(fields);
            }

            var fault = new SandboxFault(kind, count, retryAfter, delayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, onlyPath);
            state.EnqueueFault(provider!, key!, fault);
            return Results.Json(new FaultQueued(provider!, kind.ToString(), count, onlyPath), WireJson.Camel, statusCode: 201);
        });

        // Over HTTP the auth headers are masked: this endpoint is anonymous, and in the web app's sandbox
        // mode a person may paste a real key. In-process tests read the full values from SandboxState.Requests.
        group.MapGet("requests", (string? provider) =>
            Results.Json(state.Requests.Where(r => provider is null || r.Provider == provider).Select(Masked), WireJson.Camel));

        group.MapDelete("requests", () =>
        {
            state.ClearRequests();
            return Results.NoContent();
        });
    }

    private static RecordedRequest Masked(RecordedRequest request) => request with
    {
        Headers = request.Headers.ToDictionary(
            h => h.Key,
            h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("X-API-Key", StringComparison.OrdinalIgnoreCase) ? Mask(h.Value) : h.Value,
            StringComparer.OrdinalIgnoreCase),
    };

    /// <summary>"Bearer sk-live-1234" becomes "Bearer ****1234": the scheme and the last four characters stay.</summary>
    internal static string Mask(string value)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var (scheme, secret) = space > 0 ? (value[..(space + 1)], value[(space + 1)..]) : ("", value);
        return scheme + "****" + (secret.Length > 8 ? secret[^4..] : "");
    }

    private static async Task<(RequestFields? Fields, string? Problem)> ReadAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var fields = RequestFields.Parse(body, out var problem);
        return (fields, problem);
    }

    private static IResult UnknownProvider(string provider) =>
        Results.Json(new ControlError($"Unknown provider '{provider}'. Use one of: {string.Join(", ", SandboxProviders.All)}."), WireJson.Camel, statusCode: 404);

    private static IResult Invalid(string problem) => Results.Json(new ControlError(problem), WireJson.Camel, statusCode: 400);

    private static IResult Invalid(RequestFields fields) => Results.Json(new ControlError(fields.Summary(), fields.Errors), WireJson.Camel, statusCode: 400);
}
