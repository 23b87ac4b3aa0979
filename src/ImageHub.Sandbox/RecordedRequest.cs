namespace ImageHub.Sandbox;

/// <summary>One request as it reached the emulator. Header values are kept verbatim (keys included) so tests can assert auth.</summary>
public sealed record RecordedRequest(
    string Provider,
    string Method,
    string PathAndQuery,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    DateTimeOffset At);
