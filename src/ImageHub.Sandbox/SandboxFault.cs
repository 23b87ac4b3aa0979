namespace ImageHub.Sandbox;

public enum SandboxFaultKind
{
    /// <summary>429 with Retry-After, in the provider's own 429 body. Nothing is accepted.</summary>
    RateLimited,

    /// <summary>500 in the provider's own error body. Nothing is accepted.</summary>
    ServerError,

    /// <summary>The request waits <see cref="SandboxFault.Delay"/> (default 2 s), then is answered normally.</summary>
    Slow,

    /// <summary>No answer at all until the client gives up (aborts the request). Nothing is accepted.</summary>
    Hang,

    /// <summary>The request is processed normally (a generation is accepted and charged), then a 200 carries only half of the body.</summary>
    MalformedJson,

    /// <summary>The request is processed (a generation is accepted and charged), then the connection is aborted before any response.</summary>
    DropAfterAccept,

    /// <summary>
    /// A 307 Temporary Redirect to <see cref="SandboxFault.Location"/> (default: the same path under /elsewhere on
    /// the sandbox). Nothing is processed; a client that follows it would send its key to the Location.
    /// </summary>
    Redirect,

    /// <summary>The next generation is accepted but fails: Qolaba task FAILED, Kolbo failed + refund, Koala image URL 500, Coals 500 GENERATION_FAILED.</summary>
    TaskFails,
}

/// <summary>
/// A fault for one key's next request(s). <paramref name="OnlyPath"/> narrows it to one kind of request:
/// an operation name ("generate", "status", "image", "models", "quota", "images", "cancel", "credits",
/// "moodboards", "visual-dna") or any text contained in the request path; null means any request of that key.
/// <see cref="SandboxFaultKind.TaskFails"/> only ever applies to generation submissions. <paramref name="Location"/> is
/// where a <see cref="SandboxFaultKind.Redirect"/> points.
/// </summary>
public sealed record SandboxFault(
    SandboxFaultKind Kind,
    int Count = 1,
    int RetryAfterSeconds = 1,
    TimeSpan? Delay = null,
    string? OnlyPath = null,
    string? Location = null);
