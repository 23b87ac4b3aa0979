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
/// What a submission queued: the generation ids (in the order of the runs) and the batch id of a compare (null for
/// one provider). When it refuses, nothing was queued and the <see cref="Failure"/>'s fields say why; in a compare
/// they are prefixed with the provider id ("kolbo.options.aspect_ratio", "kolbo.key").
/// </summary>
public sealed record QueuedGenerations(IReadOnlyList<Guid> GenerationIds, Guid? BatchId);

/// <summary>A generation changed state or progress (pushed by <see cref="GenerationNotifier"/>).</summary>
public sealed record GenerationChanged(Guid GenerationId, Guid? BatchId, GenerationStatus Status, int? Progress);
