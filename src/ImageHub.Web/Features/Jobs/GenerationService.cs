using System.Text.Json;
using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Validates a draft against each provider's capabilities, resolves the key that pays, reserves the estimate
/// and stores Queued generations (nothing is sent here: the <see cref="JobWorker"/> sends). Also cancels.
/// Works in <see cref="CurrentWorkspace"/> as the signed-in user (<see cref="ICurrentUser"/>), or the user given.
/// Each call uses a database context of its own, so a circuit may cancel while a submission is being stored.
/// </summary>
public sealed class GenerationService(
    IDbContextFactory<AppDbContext> contexts,
    CurrentWorkspace workspace,
    ICurrentUser currentUser,
    WorkspaceAccess access,
    IProviderRegistry providers,
    IGenerationKeys keys,
    IGenerationPricing pricing,
    IGenerationLedger ledger,
    JobSignal signal,
    GenerationCancelSignal cancels,
    TimeProvider time,
    ILogger<GenerationService> logger)
{
    private static readonly JsonSerializerOptions OptionsJson = new(JsonSerializerDefaults.Web);

    /// <summary>Queues the draft as the signed-in user.</summary>
    public async Task<Outcome<QueuedGenerations>> SubmitAsync(GenerationDraft draft, CancellationToken ct)
    {
        var user = await currentUser.GetIdAsync();
        return user is { } id
            ? await SubmitAsync(id, draft, ct)
            : Failure.Unauthorized("Sign in to run generations.");
    }

    /// <summary>Queues the draft for <paramref name="userId"/> (who must be a member of the current workspace; their role is read now).</summary>
    public async Task<Outcome<QueuedGenerations>> SubmitAsync(Guid userId, GenerationDraft draft, CancellationToken ct) =>
        await SubmitAsync(userId, await access.RoleOfAsync(userId, ct), draft, ct);

    /// <summary>
    /// Queues the draft for <paramref name="userId"/>, whose role in the current workspace the caller read from the database
    /// for this request (<see cref="WorkspaceAccess.RoleForRequestAsync"/>; null: not a member). The role is read once per
    /// submission, not once per provider; the prices once per provider (the estimate and its USD together).
    /// </summary>
    public async Task<Outcome<QueuedGenerations>> SubmitAsync(Guid userId, WorkspaceRole? role, GenerationDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (!workspace.IsSet) return Failure.Invalid("workspace", "Pick or create a workspace first.");
        var runs = draft.Runs ?? [];
        if (runs.Count == 0) return Failure.Invalid("provider", $"Pick at least one provider ({string.Join(", ", ProviderIds.All)}).");
        var prompt = draft.Prompt?.Trim() ?? "";
        var errors = new List<FieldError>();
        if (prompt.Length == 0) errors.Add(new FieldError("prompt", "Write a prompt."));
        else if (prompt.Length > Generation.PromptMaxLength) errors.Add(new FieldError("prompt", $"The prompt is {prompt.Length} characters; ImageHub keeps at most {Generation.PromptMaxLength}."));

        var compare = runs.Count > 1;
        var duplicates = runs.GroupBy(r => r.Provider?.Trim().ToLowerInvariant()).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        foreach (var duplicate in duplicates) errors.Add(new FieldError("provider", $"{duplicate} is picked twice; a compare runs each provider once."));

        var now = time.GetUtcNow();
        var batchId = compare ? Guid.CreateVersion7() : (Guid?)null;
        var generations = new List<(Generation Row, decimal? Usd)>();
        foreach (var run in runs)
        {
            var prefix = compare && !string.IsNullOrWhiteSpace(run.Provider) ? run.Provider.Trim().ToLowerInvariant() + "." : "";
            if (string.IsNullOrWhiteSpace(run.Provider) || !providers.TryGet(run.Provider, out var provider))
            {
                errors.Add(new FieldError(prefix + "provider", string.IsNullOrWhiteSpace(run.Provider)
                    ? $"Pick a provider: {string.Join(", ", ProviderIds.All)}."
                    : $"\"{run.Provider}\" is not a provider ImageHub knows. Use one of: {string.Join(", ", ProviderIds.All)}."));
                continue;
            }
            prefix = compare ? provider.Id + "." : "";

            var key = await keys.ResolveAsync(userId, role, provider.Id, ct);
            if (!key.Found)
            {
                errors.Add(new FieldError(prefix + "key", key.Message ?? $"No key for {provider.DisplayName} yet. Add one in Keys."));
                continue;
            }

            var capabilities = await CapabilitiesAsync(provider, key, ct);
            var request = new GenerationRequest(prompt, string.IsNullOrWhiteSpace(run.Model) ? null : run.Model.Trim(), run.NumImages, run.Options);
            var problems = provider.Validate(request, capabilities);
            if (problems.Count > 0)
            {
                errors.AddRange(problems.Select(p => p with { Field = prefix + p.Field }));
                continue;
            }

            var model = request.Model ?? capabilities.DefaultModel;
            var numImages = request.NumImages ?? capabilities.DefaultImages;
            var estimate = await pricing.EstimateAsync(provider, request with { Model = model, NumImages = numImages }, capabilities, ct);
            generations.Add((new Generation
            {
                WorkspaceId = workspace.Id,
                BatchId = batchId,
                CreatedById = userId,
                ProviderId = provider.Id,
                Model = model,
                Prompt = prompt,
                NumImages = numImages,
                OptionsJson = JsonSerializer.Serialize(request.OptionsOrEmpty, OptionsJson),
                KeyId = key.KeyId,
                KeyLabel = key.Label,
                EstimatedCredits = estimate.Credits,
                CreatedAt = now,
            }, estimate.Usd));
        }

        if (errors.Count > 0) return Failure.Invalid(errors);

        await using var db = await contexts.CreateDbContextAsync(ct);
        foreach (var (generation, usd) in generations)
        {
            db.Add(generation);
            ledger.Reserve(db, generation, now, usd);
        }
        try
        {
            // One transaction: the rows, their reservations and the budgets' check-and-reserve (a hard budget without room refuses it all).
            await ledger.SaveAsync(db, ct); // the new rows are published as Queued once saved (GenerationChangePublisher)
        }
        catch (GenerationRefusedException e)
        {
            logger.LogInformation("A budget refused {Count} generation(s) in workspace {WorkspaceId}", generations.Count, workspace.Id);
            return e.Failure;
        }
        signal.Wake();
        logger.LogInformation("Queued {Count} generation(s) in workspace {WorkspaceId}: {Providers}",
            generations.Count, workspace.Id, string.Join(", ", generations.Select(g => g.Row.ProviderId)));
        return Outcome<QueuedGenerations>.Ok(new QueuedGenerations(generations.Select(g => g.Row.Id).ToList(), batchId));
    }

    /// <summary>The estimated credits of one run in the provider's unit (null when the price is not known up front or the run is invalid).</summary>
    public async Task<decimal?> EstimateAsync(ProviderRun run, CancellationToken ct)
    {
        if (run is null || string.IsNullOrWhiteSpace(run.Provider) || !providers.TryGet(run.Provider, out var provider)) return null;
        var capabilities = await provider.GetCapabilitiesAsync(null, ct);
        var request = new GenerationRequest("estimate", run.Model, run.NumImages, run.Options);
        request = request with { Model = request.Model ?? capabilities.DefaultModel, NumImages = request.NumImages ?? capabilities.DefaultImages };
        return (await pricing.EstimateAsync(provider, request, capabilities, ct)).Credits;
    }

    /// <summary>Who may cancel: the member who started it, or the workspace's Owners and Admins (their role read now).</summary>
    public async Task<bool> MayCancelAsync(Generation generation, CancellationToken ct) =>
        await currentUser.GetIdAsync() is not { } user || user == generation.CreatedById || await access.IsAdminAsync(ct);

    /// <summary>
    /// Cancels: a queued generation at once (its reservation released); a running one through the provider's
    /// cancel where it has one, sent once by the runner that follows it (woken through <see cref="GenerationCancelSignal"/>),
    /// which records the outcome. Otherwise a failure saying why not.
    /// </summary>
    public async Task<Outcome> CancelAsync(Guid id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var generation = await db.Set<Generation>().FirstOrDefaultAsync(g => g.Id == id, ct);
        if (generation is null) return Failure.NotFound(NoSuchGeneration);
        if (!await MayCancelAsync(generation, ct))
            return Failure.Forbidden("Only the person who ran it, or a workspace Owner or Admin, can cancel it.");
        if (generation.Status.IsFinal()) return Finished(generation);

        var now = time.GetUtcNow();
        if (generation.Status == GenerationStatus.Queued && (generation.LeaseUntil == null || generation.LeaseUntil < now))
        {
            generation.Cancel(null, Generation.CanceledBeforeSending, 0, null, now);
            ledger.Release(db, generation, now);
            try
            {
                await ledger.SaveAsync(db, ct); // refused when the worker moved it on meanwhile (the status is the concurrency token)
                return Outcome.Ok(Generation.CanceledBeforeSending);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                generation = await db.Set<Generation>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, ct);
                if (generation is null) return Failure.NotFound(NoSuchGeneration);
                if (generation.Status.IsFinal()) return Finished(generation);
            }
        }

        if (!providers.TryGet(generation.ProviderId, out var provider))
            return Failure.Conflict($"The provider \"{generation.ProviderId}\" is no longer configured, so ImageHub cannot cancel this.");
        var capabilities = await provider.GetCapabilitiesAsync(null, ct);
        var beforeSending = generation.Status == GenerationStatus.Queued;
        if (!beforeSending && !capabilities.SupportsCancel)
            return Failure.Conflict($"{provider.DisplayName} cannot cancel a generation it has accepted; it will finish (and be charged) as usual.");
        await db.Set<Generation>().Where(g => g.Id == id).ExecuteUpdateAsync(s => s.SetProperty(g => g.CancelRequested, true), ct);
        // The runner that follows it sends the one cancel (and stops polling with the answer); this wakes it, wherever it runs.
        if (!beforeSending) await cancels.RequestAsync(id);
        signal.Wake();
        return Outcome.Ok(beforeSending ? "It will be canceled before it is sent." : $"Asking {provider.DisplayName} to cancel it.");
    }

    private const string NoSuchGeneration = "There is no such generation in this workspace.";

    private static Failure Finished(Generation generation) =>
        Failure.Conflict($"This generation has already ended ({generation.Status}); there is nothing to cancel.");

    private async Task<ProviderCapabilities> CapabilitiesAsync(IImageProvider provider, PayingKey key, CancellationToken ct)
    {
        try
        {
            // With the paying key, providers whose model list lives on their side (Qolaba, Kolbo) validate against it.
            var credential = await keys.GetCredentialAsync(key.KeyId, provider.Id, ct);
            return await provider.GetCapabilitiesAsync(credential, ct);
        }
        catch (Exception e) when (e is ProviderException or InvalidOperationException or Keys.KeyVaultException)
        {
            logger.LogInformation("Validating {Provider} against its configured capabilities: {Reason}", provider.Id, e.Message);
            return await provider.GetCapabilitiesAsync(null, ct);
        }
    }

}
