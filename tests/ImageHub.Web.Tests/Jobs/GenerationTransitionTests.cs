using ImageHub.Web.Features.Jobs;

namespace ImageHub.Web.Tests.Jobs;

/// <summary>
/// The Generation aggregate's life cycle: every (from, to) pair of statuses, legal or not. The legal pairs are
/// written out here as the worker needs them, independently of the aggregate's own table.
/// </summary>
public sealed class GenerationTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly HashSet<(GenerationStatus, GenerationStatus)> Legal =
    [
        (GenerationStatus.Queued, GenerationStatus.Submitting),      // the worker sends it
        (GenerationStatus.Queued, GenerationStatus.Failed),          // its key or provider is gone before sending
        (GenerationStatus.Queued, GenerationStatus.Canceled),        // canceled before it was sent
        (GenerationStatus.Submitting, GenerationStatus.Queued),      // rate limited, nothing accepted: try again later
        (GenerationStatus.Submitting, GenerationStatus.Running),     // accepted: the handle is stored
        (GenerationStatus.Submitting, GenerationStatus.Failed),      // refused
        (GenerationStatus.Submitting, GenerationStatus.NeedsReview), // cut off: it may have been accepted
        (GenerationStatus.Running, GenerationStatus.Downloading),
        (GenerationStatus.Running, GenerationStatus.Failed),
        (GenerationStatus.Running, GenerationStatus.Canceled),
        (GenerationStatus.Running, GenerationStatus.NeedsReview),
        (GenerationStatus.Downloading, GenerationStatus.Downloading), // a resumed download starts again
        (GenerationStatus.Downloading, GenerationStatus.Succeeded),
        (GenerationStatus.Downloading, GenerationStatus.Failed),
        (GenerationStatus.Downloading, GenerationStatus.Canceled),
        (GenerationStatus.Downloading, GenerationStatus.NeedsReview),
    ];

    public static TheoryData<GenerationStatus, GenerationStatus> LegalPairs() => Pairs(legal: true);
    public static TheoryData<GenerationStatus, GenerationStatus> IllegalPairs() => Pairs(legal: false);

    private static TheoryData<GenerationStatus, GenerationStatus> Pairs(bool legal)
    {
        var data = new TheoryData<GenerationStatus, GenerationStatus>();
        foreach (var from in Enum.GetValues<GenerationStatus>())
        {
            foreach (var to in Enum.GetValues<GenerationStatus>())
            {
                if (Legal.Contains((from, to)) == legal) data.Add(from, to);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(LegalPairs))]
    public void A_legal_transition_changes_the_status_and_raises_exactly_one_change(GenerationStatus from, GenerationStatus to)
    {
        var generation = Arrive(from);

        Move(generation, to);

        Assert.Equal(to, generation.Status);
        var change = Assert.Single(generation.TakeChanges());
        Assert.Equal(new GenerationChanged(generation.Id, generation.BatchId, to, generation.Progress), change);
    }

    [Theory]
    [MemberData(nameof(IllegalPairs))]
    public void An_illegal_transition_is_refused_with_a_message_naming_both_statuses_and_changes_nothing(GenerationStatus from, GenerationStatus to)
    {
        var generation = Arrive(from);
        var before = (generation.ErrorCode, generation.ErrorMessage, generation.Credits, generation.CompletedAt, generation.HandleJson);

        var refused = Assert.Throws<GenerationTransitionException>(() => Move(generation, to));

        Assert.Contains($"cannot go from {from} to {to}", refused.Message);
        Assert.Equal(from, generation.Status);
        Assert.Equal(before, (generation.ErrorCode, generation.ErrorMessage, generation.Credits, generation.CompletedAt, generation.HandleJson));
        Assert.Empty(generation.TakeChanges());
    }

    [Fact]
    public void The_aggregates_table_lists_exactly_the_legal_pairs()
    {
        Assert.Equal(Legal.OrderBy(p => p).ToList(), Generation.Transitions.OrderBy(p => p).ToList());
    }

    [Fact]
    public void Every_final_status_refuses_every_move_and_says_it_is_final()
    {
        foreach (var final in Enum.GetValues<GenerationStatus>().Where(s => s.IsFinal()))
        {
            var refused = Assert.Throws<GenerationTransitionException>(() => Move(Arrive(final), GenerationStatus.Failed));
            Assert.Contains("nothing (it is final)", refused.Message);
        }
    }

    [Fact]
    public void A_long_provider_error_is_kept_to_the_rows_limits_in_one_place()
    {
        var generation = Arrive(GenerationStatus.Running);

        generation.Fail(new string('c', 100), new string('m', 5000), 0, null, Now);

        Assert.Equal(Generation.ErrorCodeMaxLength, generation.ErrorCode!.Length);
        Assert.Equal(Generation.ErrorMessageMaxLength, generation.ErrorMessage!.Length);
        Assert.EndsWith("…", generation.ErrorMessage);
        Assert.Equal(Generation.ClipMessage(new string('m', 5000)), generation.ErrorMessage);
    }

    [Fact]
    public void A_short_error_is_kept_as_written()
    {
        var generation = Arrive(GenerationStatus.Submitting);

        generation.MarkForReview("interrupted_submission", "The app stopped while sending this to Kolbo.", Now);

        Assert.Equal("interrupted_submission", generation.ErrorCode);
        Assert.Equal("The app stopped while sending this to Kolbo.", generation.ErrorMessage);
        Assert.Equal(Now, generation.CompletedAt);
    }

    [Fact]
    public void Acceptance_stores_the_handle_and_clears_the_rate_limit_message_of_an_earlier_attempt()
    {
        var generation = Arrive(GenerationStatus.Submitting);
        generation.RetryLater(Now.AddSeconds(30), "Kolbo is busy (429); retrying in 30 s.");
        generation.BeginSubmission(Now.AddSeconds(30));

        generation.Accept("""{"id":"gen-1"}""", credits: 4, costUsd: null, model: "flux");

        Assert.Equal(GenerationStatus.Running, generation.Status);
        Assert.Equal("""{"id":"gen-1"}""", generation.HandleJson);
        Assert.Null(generation.ErrorMessage);
        Assert.Null(generation.NextAttemptAt);
        Assert.Equal(2, generation.Attempts);
        Assert.Equal(Now, generation.StartedAt);
        Assert.Equal("flux", generation.Model);
    }

    [Fact]
    public void Progress_raises_a_change_only_when_it_moves_and_only_while_running()
    {
        var generation = Arrive(GenerationStatus.Running);

        generation.ReportProgress(40);
        generation.ReportProgress(40);

        Assert.Equal(40, Assert.Single(generation.TakeChanges()).Progress);
        var queued = Arrive(GenerationStatus.Queued);
        var refused = Assert.Throws<GenerationTransitionException>(() => queued.ReportProgress(10));
        Assert.Contains("cannot report progress while Queued", refused.Message);
    }

    [Fact]
    public void Review_keeps_the_charge_the_provider_reported_on_acceptance()
    {
        var generation = Arrive(GenerationStatus.Running);

        generation.MarkForReview("poll_failed", "Kolbo accepted this generation, but ImageHub could not follow it.", Now);

        Assert.Equal(3, generation.Credits);
    }

    private static Generation Arrive(GenerationStatus status)
    {
        var generation = new Generation { ProviderId = "kolbo", Prompt = "A lighthouse at dusk", CreatedAt = Now };
        switch (status)
        {
            case GenerationStatus.Queued:
                break;
            case GenerationStatus.Failed:
                generation.Fail("key_unavailable", "The key is gone.", 0, null, Now);
                break;
            case GenerationStatus.Canceled:
                generation.Cancel(null, Generation.CanceledBeforeSending, 0, null, Now);
                break;
            default:
                generation.BeginSubmission(Now);
                if (status == GenerationStatus.NeedsReview) generation.MarkForReview("interrupted_submission", "Cut off.", Now);
                if (status is GenerationStatus.Submitting or GenerationStatus.NeedsReview) break;
                generation.Accept("""{"id":"gen-1"}""", credits: 3, costUsd: null);
                if (status == GenerationStatus.Running) break;
                generation.StartDownloading();
                if (status == GenerationStatus.Succeeded) generation.Succeed(3, null, null, Now);
                break;
        }
        Assert.Equal(status, generation.Status);
        generation.TakeChanges();
        return generation;
    }

    private static void Move(Generation generation, GenerationStatus to)
    {
        switch (to)
        {
            case GenerationStatus.Queued: generation.RetryLater(Now.AddSeconds(5), "Rate limited."); break;
            case GenerationStatus.Submitting: generation.BeginSubmission(Now); break;
            case GenerationStatus.Running: generation.Accept("""{"id":"gen-2"}""", 1, null); break;
            case GenerationStatus.Downloading: generation.StartDownloading(); break;
            case GenerationStatus.Succeeded: generation.Succeed(1, null, null, Now); break;
            case GenerationStatus.Failed: generation.Fail("failed", "It failed.", 0, null, Now); break;
            case GenerationStatus.Canceled: generation.Cancel(null, "Canceled.", 0, null, Now); break;
            case GenerationStatus.NeedsReview: generation.MarkForReview("review", "Check it.", Now); break;
            default: throw new ArgumentOutOfRangeException(nameof(to));
        }
    }
}
