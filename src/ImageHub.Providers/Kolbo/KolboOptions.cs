namespace ImageHub.Providers.Kolbo;

/// <summary><c>Providers:Kolbo</c>. Kolbo's models are fetched, never hard-coded.</summary>
public sealed class KolboOptions() : ProviderEndpointOptions("https://api.kolbo.ai/api/")
{
    public const string SectionName = "Providers:Kolbo";

    /// <summary>Kolbo documents no maximum for num_images; ImageHub caps it here.</summary>
    public int MaxImages { get; set; } = 4;

    /// <summary>Aspect ratios offered before the model list is known (Kolbo's docs: "1:1", "16:9", "9:16", etc.).</summary>
    public List<string>? AspectRatios { get; set; }

    public IReadOnlyList<string> EffectiveAspectRatios => AspectRatios is { Count: > 0 } ? AspectRatios : DocumentedAspectRatios;

    public static IReadOnlyList<string> DocumentedAspectRatios { get; } = ["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9"];

    /// <summary>Poll interval when Kolbo gives no poll_interval_hint (its examples poll every 3 s).</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Kolbo documents at most 3 visual DNA ids.</summary>
    public const int MaxVisualDna = 3;

    /// <summary>
    /// Reference images with Smart Select (no model named): Kolbo does not document one; 4 is what its smallest
    /// multi-reference models take. With a model, its own <c>max_reference_images</c> applies.
    /// </summary>
    public const int SmartSelectMaxReferenceImages = 4;

    /// <summary>Kolbo ids (moodboards, visual DNA) are 24-character object ids; longer than this is not an id.</summary>
    public const int MaxIdLength = 64;

    /// <summary>Generation POSTs per minute per key (Kolbo documents 10 per user); 0 turns the limit off.</summary>
    public int GenerationsPerMinute { get; set; } = 10;
}
