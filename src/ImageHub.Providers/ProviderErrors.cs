using System.Text.Json;
using ImageHub.Providers.Resilience;

namespace ImageHub.Providers;

/// <summary>Turns what providers say (each in its own error shape) into one <see cref="ProviderError"/>.</summary>
internal static class ProviderErrors
{
    /// <summary>The parts of an error body, read liberally from every documented shape.</summary>
    internal sealed record ErrorBody(string? Code, string? Message, IReadOnlyDictionary<string, string[]>? Details, TimeSpan? RetryAfter);

    /// <summary>
    /// Reads Koala's {error}, Qolaba's {error, message?, retryAfter}, Coals' nested
    /// {success:false, error:{code, message, details}} and flat {error:"msg"}, Kolbo's {success:false, error, code}
    /// and its 429 {status:false, message}. Never throws.
    /// </summary>
    public static ErrorBody ParseBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return new ErrorBody(null, null, null, null);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new ErrorBody(null, root.ValueKind == JsonValueKind.String ? root.GetString() : null, null, null);
            }
            string? code = Str(root, "code");
            string? message = null;
            IReadOnlyDictionary<string, string[]>? details = null;
            if (root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object)
                {
                    code = Str(error, "code") ?? code;
                    message = Str(error, "message");
                    details = Details(error);
                }
                else if (error.ValueKind == JsonValueKind.String)
                {
                    message = error.GetString();
                }
            }
            var rootMessage = Str(root, "message") ?? Str(root, "detail");
            if (rootMessage is not null)
            {
                message = message is null || string.Equals(message, rootMessage, StringComparison.Ordinal)
                    ? rootMessage
                    : $"{message}: {rootMessage}";
            }
            if (Str(root, "error_detail") is { } errorDetail) message = message is null ? errorDetail : $"{message}: {errorDetail}";
            details ??= Details(root);
            TimeSpan? retryAfter = null;
            foreach (var name in new[] { "retryAfter", "retry_after" })
            {
                if (root.TryGetProperty(name, out var ra) && ra.ValueKind == JsonValueKind.Number && ra.TryGetDouble(out var seconds) && seconds >= 0)
                {
                    retryAfter = TimeSpan.FromSeconds(seconds);
                }
            }
            return new ErrorBody(code, message, details, retryAfter);
        }
        catch (JsonException)
        {
            // Not JSON (an HTML error page, say): keep a short, printable excerpt.
            var text = body.Trim();
            return new ErrorBody(null, text.Length > 200 ? text[..200] + "…" : text, null, null);
        }
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IReadOnlyDictionary<string, string[]>? Details(JsonElement element)
    {
        if (!element.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Object) return null;
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var field in details.EnumerateObject())
        {
            result[field.Name] = field.Value.ValueKind switch
            {
                JsonValueKind.Array => field.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.GetRawText()).ToArray(),
                JsonValueKind.String => [field.Value.GetString() ?? ""],
                _ => [field.Value.GetRawText()],
            };
        }
        return result;
    }

    public static ProviderError FromReply(ProviderDescriptor provider, ProviderReply reply, ProviderCredential credential, bool isSubmission, Func<string, string>? fieldName = null)
    {
        if (reply.IsRedirect) return Redirect(provider, reply);
        var parsed = ParseBody(reply.Body);
        var message = parsed.Message is null ? null : credential.Scrub(parsed.Message);
        var code = parsed.Code;
        var status = reply.Status;
        var kind = provider.KindFromCode?.Invoke(code) ?? status switch
        {
            401 => ProviderErrorKind.Unauthorized,
            402 => ProviderErrorKind.InsufficientCredits,
            403 => ProviderErrorKind.Forbidden,
            408 or 504 => ProviderErrorKind.Timeout,
            429 => ProviderErrorKind.RateLimited,
            >= 400 and < 500 => ProviderErrorKind.InvalidRequest,
            _ => ProviderErrorKind.ProviderFailure,
        };
        var retryAfter = reply.RetryAfter ?? parsed.RetryAfter;
        var name = provider.DisplayName;
        var said = string.IsNullOrWhiteSpace(message) ? "" : $": {message.TrimEnd('.')}";
        var user = kind switch
        {
            ProviderErrorKind.Unauthorized => $"{name} refused the key ({status}). Check the key in Keys.",
            ProviderErrorKind.InsufficientCredits => $"{name} says the account is out of credits ({status}). Top up at {name} or use another key.",
            ProviderErrorKind.Forbidden => $"{name} refused this request for this key ({status}){said}. {provider.ForbiddenHint}",
            ProviderErrorKind.RateLimited => retryAfter is { } ra
                ? $"{name} is rate limiting requests ({status}). Try again in {Math.Max(1, (int)Math.Ceiling(ra.TotalSeconds))} s."
                : $"{name} is rate limiting requests ({status}). Try again in a minute.",
            ProviderErrorKind.Timeout => $"{name} timed out on its side ({status}).{(isSubmission ? " The submission may have been accepted; check before sending it again." : " Try again later.")}",
            ProviderErrorKind.InvalidRequest => $"{name} rejected the request ({status}){said}.",
            _ => $"{name} failed on its side ({status}){said}. Try again later.",
        };
        IReadOnlyList<FieldError>? fields = parsed.Details?.SelectMany(d => d.Value.Select(m =>
            new FieldError(fieldName?.Invoke(d.Key) ?? d.Key, $"{name}: {credential.Scrub(m)}"))).ToList();
        return new ProviderError(provider.Id, kind, user, status, code, message, retryAfter,
            MayHaveBeenAccepted: isSubmission && status is 502 or 504,
            FieldErrors: fields);
    }

    /// <summary>
    /// A 3xx: the clients never follow redirects, so the key is never sent to another address. Only the target's
    /// origin is named (a Location may carry tokens of its own). Nothing was processed at the address called.
    /// </summary>
    public static ProviderError Redirect(ProviderDescriptor provider, ProviderReply reply)
    {
        var location = reply.Headers.Location;
        var target = location switch
        {
            null => null,
            { IsAbsoluteUri: true } => location.GetLeftPart(UriPartial.Authority),
            _ when reply.RequestUri is { } from => new Uri(from, location).GetLeftPart(UriPartial.Authority),
            _ => null,
        };
        var name = provider.DisplayName;
        return new ProviderError(provider.Id, ProviderErrorKind.ProviderFailure,
            $"{name} answered with a redirect ({reply.Status}){(target is null ? "" : $" to {target}")}. ImageHub does not follow " +
            $"redirects from providers, so the key is never sent to another address; check the {name} base URL (Providers:{name}:BaseUrl).",
            reply.Status, ProviderMessage: target is null ? null : $"Location: {target}");
    }

    public static ProviderError Timeout(ProviderDescriptor provider, TimeSpan after, bool isSubmission) =>
        new(provider.Id, ProviderErrorKind.Timeout,
            isSubmission
                ? $"{provider.DisplayName} did not answer within {Seconds(after)}. The submission may have been accepted (and charged); it is not sent again automatically. Check it before retrying."
                : $"{provider.DisplayName} did not answer within {Seconds(after)}. Try again later.",
            MayHaveBeenAccepted: isSubmission);

    public static ProviderError Network(ProviderDescriptor provider, HttpRequestException exception, bool mayHaveBeenAccepted)
    {
        var reason = exception.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => "the connection could not be made",
            HttpRequestError.NameResolutionError => "its host name could not be resolved",
            HttpRequestError.SecureConnectionError => "the secure connection failed",
            HttpRequestError.ResponseEnded => "the connection closed before the answer arrived",
            _ => "the network failed",
        };
        return new ProviderError(provider.Id, ProviderErrorKind.Network,
            mayHaveBeenAccepted
                ? $"Lost the connection to {provider.DisplayName} after sending the submission ({reason}). It may have been accepted (and charged); it is not sent again automatically. Check it before retrying."
                : $"Could not reach {provider.DisplayName}: {reason}. Try again later.",
            MayHaveBeenAccepted: mayHaveBeenAccepted);
    }

    public static ProviderError Malformed(ProviderDescriptor provider, ProviderReply reply, bool mayHaveBeenAccepted, string what = "reply") =>
        new(provider.Id, ProviderErrorKind.ProviderFailure,
            mayHaveBeenAccepted
                ? $"{provider.DisplayName} accepted the submission but its {what} could not be read (malformed JSON). It may have been charged; check it before retrying."
                : $"{provider.DisplayName} sent a {what} ImageHub could not read (malformed JSON). Try again later.",
            reply.Status, MayHaveBeenAccepted: mayHaveBeenAccepted);

    private static string Seconds(TimeSpan t) => t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0} ms" : $"{t.TotalSeconds:0.#} s";
}
