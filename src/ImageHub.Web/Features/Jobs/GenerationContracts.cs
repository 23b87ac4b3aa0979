using System.Text.Json;
using ImageHub.Providers;

namespace ImageHub.Web.Features.Jobs;

/// <summary>One prompt for one or several providers (several = compare).</summary>
public sealed record GenerationDraft(string Prompt, IReadOnlyList<ProviderRun> Runs);

/// <summary>
/// One provider's part of a draft: <paramref name="Options"/> holds the provider's own documented field names
/// (Koala <c>style</c>, Qolaba <c>aspect_ratio</c>, ...), validated against its capabilities.
/// </summary>
public sealed record ProviderRun(string Provider, string? Model, int? NumImages, IReadOnlyDictionary<string, JsonElement>? Options);

/// <summary>
/// What a submission made: the queued generation ids (in the order of the runs), the batch id of a compare
/// (null for one provider), or the per-field errors (then nothing was queued). In a compare the fields are
/// prefixed with the provider id ("kolbo.options.aspect_ratio", "kolbo.key").
/// </summary>
public sealed record SubmitOutcome(IReadOnlyList<Guid> GenerationIds, Guid? BatchId, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => Errors.Count == 0 && GenerationIds.Count > 0;
}

/// <summary>A generation changed state or progress (pushed by <see cref="GenerationNotifier"/>).</summary>
public sealed record GenerationChanged(Guid GenerationId, Guid? BatchId, GenerationStatus Status, int? Progress);
