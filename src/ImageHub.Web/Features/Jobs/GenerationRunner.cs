using System.Text.Json;
using ImageHub.Providers;
using ImageHub.Providers.Images;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Infrastructure.Images;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Works one leased generation to its end, in a DI scope of its own whose <see cref="Workspaces.CurrentWorkspace"/>
/// is the generation's: submit (handle stored the moment the provider accepts), poll, download, settle.
/// </summary>
public sealed class GenerationRunner(
    AppDbContext db,
    IProviderRegistry providers,
    IGenerationKeys keys,
    IImageFetcher fetcher,
    ImageStore store,
    IGenerationPricing pricing,
    IGenerationLedger ledger,
    IOptions<JobsOptions> options,
    GenerationCancelSignal cancels,
    TimeProvider time,
    ILogger<GenerationRunner> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public const string NeedsReviewCode = "needs_review";

    private JobsOptions Options => options.Value;

    public async Task RunAsync(Guid generationId, string leaseOwner, Func<string, CancellationToken, Task>? beforeSubmit, CancellationToken ct)
    {
        // Followed from the start, so a cancel asked for while the submission is in flight wakes the first wait too.
        using var cancelWatch = cancels.Follow(generationId);
        var generation = await db.Set<Generation>().FirstOrDefaultAsync(g => g.Id == generationId && g.LeaseOwner == leaseOwner, ct);
        if (generation is null || generation.Status.IsFinal()) return;
        if (!providers.TryGet(generation.ProviderId, out var provider))
        {
            await FinishUnpaidAsync(generation, now => generation.Fail("unknown_provider", $"The provider \"{generation.ProviderId}\" is no longer configured.", 0, null, now));
            return;
        }

        ProviderCredential credential;
        try
        {
            credential = await keys.GetCredentialAsync(generation.KeyId, generation.ProviderId, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("No usable key for generation {GenerationId} ({Provider}): {Reason}", generation.Id, provider.Id, e.GetType().Name);
            var message = $"The {provider.DisplayName} key \"{generation.KeyLabel}\" is no longer available (removed or unreadable). Add or fix it in Keys.";
            if (generation.Status == GenerationStatus.Queued) await FinishUnpaidAsync(generation, now => generation.Fail("key_unavailable", message, 0, null, now));
            else await NeedsReviewAsync(generation, "key_unavailable", message + " The generation was already sent; check it at " + provider.DisplayName + ".", ct);
            return;
        }

        PollResult? result = null;
        ProviderHandle? handle = null;
        var downloading = false;
        if (generation.Status == GenerationStatus.Queued)
        {
            if (generation.CancelRequested)
            {
                await FinishUnpaidAsync(generation, now => generation.Cancel(null, Generation.CanceledBeforeSending, 0, null, now));
                return;
            }
            // Wait for the provider's rate limit before the row says Submitting: a stop while waiting sends nothing.
            if (beforeSubmit is not null) await beforeSubmit(provider.Id, ct);
            generation.BeginSubmission(time.GetUtcNow());
            try
            {
                await SaveAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                logger.LogInformation("Generation {GenerationId} was canceled before it was sent; nothing was sent", generation.Id);
                return;
            }

            SubmitResult submitted;
            try
            {
                submitted = await provider.SubmitAsync(Request(generation), credential, ct);
            }
            catch (ProviderException e) when (e.MayHaveBeenAccepted)
            {
                await NeedsReviewAsync(generation, e.Error.ProviderCode ?? e.Kind.ToString(),
                    e.Message + $" ImageHub will not send it again: check {provider.DisplayName}'s dashboard before running it again.", ct);
                return;
            }
            catch (ProviderException e) when (e.Kind == ProviderErrorKind.RateLimited && generation.Attempts < Options.MaxSubmitAttempts)
            {
                // Nothing was accepted: try again when the provider says so.
                var wait = e.RetryAfter ?? TimeSpan.FromSeconds(Math.Min(60, 5 * generation.Attempts));
                generation.RetryLater(time.GetUtcNow() + wait, e.Message);
                await SaveAsync(ct);
                logger.LogInformation("{Provider} rate limited generation {GenerationId}; retrying after {Wait}", provider.Id, generation.Id, wait);
                return;
            }
            catch (ProviderException e)
            {
                await FinishUnpaidAsync(generation, now => generation.Fail(e.Error.ProviderCode ?? e.Kind.ToString(), e.Message, 0, null, now));
                return;
            }

            handle = submitted.Handle;
            generation.Accept(handle.Serialize(), submitted.Credits, submitted.CostUsd, handle.Model);
            // Images already made (a synchronous provider): Downloading commits with the handle, one commit less per
            // generation; both changes are still logged and published, in order.
            downloading = submitted.State == GenerationState.Succeeded;
            if (downloading) generation.StartDownloading();
            await SaveAsync(CancellationToken.None); // the handle is written whatever happens next
            if (generation.KeyId is { } keyId) await keys.MarkUsedAsync(keyId);
            if (submitted.State.IsFinal())
            {
                result = new PollResult(submitted.State, submitted.State == GenerationState.Succeeded ? 100 : null,
                    submitted.Images, submitted.Credits, submitted.CostUsd, null, null);
            }
            else
            {
                await DelayAsync(submitted.NextPollDelay, ct, cancelWatch.Requested);
            }
        }

        if (handle is null && !ProviderHandle.TryDeserialize(generation.HandleJson, out handle))
        {
            await NeedsReviewAsync(generation, "handle_unreadable",
                $"ImageHub lost the handle {provider.DisplayName} gave this generation. Check {provider.DisplayName}'s dashboard before running it again.", ct);
            return;
        }

        result ??= await PollUntilDoneAsync(generation, provider, handle, credential, cancelWatch.Requested, ct);
        if (result is null) return; // handed over (NeedsReview) or stopping

        await CompleteAsync(generation, provider, handle, result, downloading, ct);
    }

    /// <summary>
    /// Polls until the provider reports a final state. When a cancel is asked for (the row's flag, or
    /// <paramref name="cancelRequested"/> waking the wait between polls) it sends the provider's cancel once, in place of
    /// the next poll, and the cancel's answer (canceled) ends the polling.
    /// </summary>
    private async Task<PollResult?> PollUntilDoneAsync(Generation generation, IImageProvider provider, ProviderHandle handle, ProviderCredential credential,
        CancellationToken cancelRequested, CancellationToken ct)
    {
        var failures = 0;
        var cancelSent = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            PollResult result;
            try
            {
                var cancel = !cancelSent && await db.Set<Generation>().AsNoTracking().Where(g => g.Id == generation.Id).Select(g => g.CancelRequested).FirstAsync(ct);
                if (cancel && (await provider.GetCapabilitiesAsync(null, ct)).SupportsCancel)
                {
                    cancelSent = true;
                    result = await provider.CancelAsync(handle, credential, ct);
                }
                else
                {
                    result = await provider.PollAsync(handle, credential, ct);
                }
                failures = 0;
            }
            catch (ProviderException e)
            {
                failures++;
                if (e.Kind is ProviderErrorKind.Unauthorized or ProviderErrorKind.Forbidden || failures >= Options.MaxPollFailures)
                {
                    await NeedsReviewAsync(generation, e.Error.ProviderCode ?? e.Kind.ToString(),
                        $"{provider.DisplayName} accepted this generation, but ImageHub could not follow it: {e.Message} Check it at {provider.DisplayName}.", ct);
                    return null;
                }
                await DelayAsync(e.RetryAfter ?? TimeSpan.FromSeconds(Math.Min(30, failures * 2)), ct, cancelSent ? default : cancelRequested);
                continue;
            }

            if (result.State.IsFinal()) return result;
            if (generation.Status == GenerationStatus.Running && result.Progress != generation.Progress)
            {
                generation.ReportProgress(result.Progress);
                await SaveAsync(ct);
            }
            await DelayAsync(result.NextPollDelay, ct, cancelSent ? default : cancelRequested);
        }
    }

    /// <param name="downloading">Downloading is already saved (with the handle, when the submission brought the images).</param>
    private async Task CompleteAsync(Generation generation, IImageProvider provider, ProviderHandle handle, PollResult result, bool downloading, CancellationToken ct)
    {
        var reported = result.Credits ?? handle.Credits ?? generation.Credits;
        if (result.State != GenerationState.Succeeded)
        {
            var canceled = result.State == GenerationState.Cancelled;
            var message = result.Error?.UserMessage ?? (canceled
                ? $"Canceled at {provider.DisplayName}."
                : $"{provider.DisplayName} reported the generation failed.");
            var code = result.Error?.ProviderCode ?? (canceled ? "canceled" : "failed");
            void End(decimal credits, decimal? usd, DateTimeOffset now)
            {
                if (canceled) generation.Cancel(code, message, credits, usd, now);
                else generation.Fail(code, message, credits, usd, now);
            }
            if (reported is > 0) await FinishPaidAsync(generation, reported.Value, result.CostUsd, 0, End, ct);
            else await FinishUnpaidAsync(generation, now => End(0, null, now));
            return;
        }

        if (!downloading)
        {
            generation.StartDownloading();
            await SaveAsync(ct);
        }

        var existing = await db.Set<GeneratedImage>().Where(i => i.GenerationId == generation.Id).Select(i => i.Index).ToListAsync(ct);
        var images = new List<GeneratedImage>();
        string? failure = null;
        var fetches = result.Images.Select((image, index) => (image, index)).Where(x => !existing.Contains(x.index))
            .Select(async x =>
            {
                var fetched = await fetcher.FetchAsync(new Uri(x.image.Url), ct);
                var stored = await store.SaveAsync(fetched.Bytes, fetched.ContentType, ct);
                return new GeneratedImage
                {
                    WorkspaceId = generation.WorkspaceId,
                    GenerationId = generation.Id,
                    Index = x.index,
                    Sha256 = stored.Sha256,
                    ContentType = stored.ContentType,
                    Width = fetched.Width,
                    Height = fetched.Height,
                    Length = stored.Length,
                    CreatedAt = time.GetUtcNow(),
                };
            }).ToList();
        foreach (var fetch in fetches)
        {
            try
            {
                images.Add(await fetch);
            }
            catch (ImageFetchException e)
            {
                failure ??= e.Message;
            }
            catch (UriFormatException)
            {
                failure ??= $"{provider.DisplayName} gave an image address ImageHub cannot read.";
            }
        }
        db.AddRange(images);

        var credits = await CreditsAsync(generation, result.Images.Count, reported, ct);
        var usd = result.CostUsd ?? handle.CostUsd ?? await pricing.ToUsdAsync(generation.ProviderId, credits, ct);
        var delivered = existing.Count + images.Count;
        if (failure is not null && delivered == 0)
        {
            var message = $"{provider.DisplayName} made the images, but ImageHub could not download them: {failure}";
            await FinishPaidAsync(generation, credits ?? 0, usd, 0, (c, u, now) => generation.Fail("download_failed", message, c, u, now), ct);
            return;
        }
        var warning = failure is null ? null : $"{result.Images.Count - delivered} of {result.Images.Count} images could not be downloaded: {failure}";
        await FinishPaidAsync(generation, credits ?? 0, usd, delivered, (c, u, now) => generation.Succeed(c, u, warning, now), ct);
    }

    /// <summary>What the provider charged: its report, or the workspace's price for the model where the hub prices the provider itself.</summary>
    private Task<decimal?> CreditsAsync(Generation generation, int images, decimal? reported, CancellationToken ct) =>
        pricing.ChargedCreditsAsync(generation.ProviderId, generation.Model, images, reported, ct);

    /// <summary>Ends a generation the provider charged for: its one ledger settlement commits with the final status.</summary>
    private async Task FinishPaidAsync(Generation generation, decimal credits, decimal? usd, int images,
        Action<decimal, decimal?, DateTimeOffset> finish, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        usd ??= await pricing.ToUsdAsync(generation.ProviderId, credits, ct);
        finish(credits, usd, now);
        ledger.Settle(db, generation, credits, usd, images, now);
        await ledger.SaveAsync(db, CancellationToken.None);
    }

    /// <summary>Ends a generation nothing was charged for: its reservation is released with the final status.</summary>
    private async Task FinishUnpaidAsync(Generation generation, Action<DateTimeOffset> finish)
    {
        var now = time.GetUtcNow();
        finish(now);
        ledger.Release(db, generation, now);
        await ledger.SaveAsync(db, CancellationToken.None);
    }

    /// <summary>The provider may have accepted (and charged) it: a person decides. The reservation stays open.</summary>
    private async Task NeedsReviewAsync(Generation generation, string code, string message, CancellationToken ct)
    {
        generation.MarkForReview(code, message, time.GetUtcNow());
        await SaveAsync(CancellationToken.None);
        logger.LogWarning("Generation {GenerationId} ({Provider}) needs review: {Code}", generation.Id, generation.ProviderId, code);
    }

    /// <summary>Commits; the changes the generation raised are published once saved (<see cref="GenerationChangePublisher"/>).</summary>
    private Task SaveAsync(CancellationToken ct) => db.SaveChangesAsync(ct);

    /// <summary>Waits for the poll delay (the hint within the configured bounds); a cancel request (<paramref name="wake"/>) ends the wait early.</summary>
    private async Task DelayAsync(TimeSpan? hint, CancellationToken ct, CancellationToken wake = default)
    {
        var delay = hint ?? Options.DefaultPollDelay;
        if (delay < Options.MinPollDelay) delay = Options.MinPollDelay;
        if (delay > Options.MaxPollDelay) delay = Options.MaxPollDelay;
        if (wake.IsCancellationRequested) return;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, wake);
        try
        {
            await Task.Delay(delay, time, either.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // woken by a cancel request: the loop sends the cancel now
        }
    }

    public static GenerationRequest Request(Generation generation)
    {
        var options = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(generation.OptionsJson, Json) ?? [];
        return new GenerationRequest(generation.Prompt, generation.Model, generation.NumImages, options.Count == 0 ? null : options);
    }
}
