namespace ImageHub.Sandbox;

/// <summary>How the emulated providers behave. All delays default small but non-zero; tests set them to Zero.</summary>
public sealed class SandboxOptions
{
    /// <summary>A GET on a Koala image URL blocks until this much time has passed since the submission.</summary>
    public TimeSpan KoalaReadyDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Qolaba celery task step time: PENDING, then PROCESSING, then SUCCESS (or FAILED).</summary>
    public TimeSpan QolabaTaskStepDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Kolbo step time: processing 10%, 40%, 70%, then completed (or failed).</summary>
    public TimeSpan KolboStepDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Credits every new key starts with, per provider.</summary>
    public decimal DefaultBalance { get; set; } = 1000;

    /// <summary>
    /// Serve one picture painted ahead of time (per size) instead of painting each prompt, so a benchmark weighs the
    /// client, not the painter. Each (prompt, seed) still gets its own bytes (the picture with a tEXt chunk naming
    /// them): a content-addressed store stores every image. Off by default.
    /// </summary>
    public bool PrePaintedImages { get; set; }

    /// <summary>Memory the cache of encoded PNGs may use.</summary>
    public int ImageCacheMegabytes { get; set; } = 128;

    /// <summary>How many requests <see cref="SandboxState.Requests"/> keeps (the oldest are dropped).</summary>
    public int MaxRecordedRequests { get; set; } = 10_000;
}
