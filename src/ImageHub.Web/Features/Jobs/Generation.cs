using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// Where a generation is. Queued: stored, nothing sent. Submitting: the POST is (or was) in flight.
/// Running: the provider accepted it (its handle is stored). Downloading: images are being copied into the
/// store. NeedsReview: the provider may have accepted it but ImageHub cannot tell; it is never resent.
/// </summary>
public enum GenerationStatus
{
    Queued,
    Submitting,
    Running,
    Downloading,
    Succeeded,
    Failed,
    Canceled,
    NeedsReview,
}

public static class GenerationStatusExtensions
{
    /// <summary>True for the states a generation never leaves.</summary>
    public static bool IsFinal(this GenerationStatus status) =>
        status is GenerationStatus.Succeeded or GenerationStatus.Failed or GenerationStatus.Canceled or GenerationStatus.NeedsReview;
}

/// <summary>
/// One run of one prompt on one provider: the durable queue row the worker leases, and the record the
/// gallery, the composer and the REST API read. A compare submission makes one row per provider, sharing
/// <see cref="BatchId"/>.
/// </summary>
/// <remarks>
/// An aggregate (eShop's <c>Order</c>): its status changes only through the methods below, which refuse a
/// transition <see cref="Transitions"/> does not list with a <see cref="GenerationTransitionException"/>, keep
/// the fields that go with a status (times, error, charge, lease) consistent, and raise exactly one
/// <see cref="GenerationChanged"/> each. The changes are published once they are saved
/// (<see cref="GenerationChangePublisher"/>). The length limits of the text it stores live here too.
/// </remarks>
public sealed class Generation : IWorkspaceScoped
{
    public const int PromptMaxLength = 8000;
    public const int ModelMaxLength = 200;
    public const int ErrorCodeMaxLength = 64;
    public const int ErrorMessageMaxLength = 2000;
    public const int HandleMaxLength = 20_000;
    public const int OptionsMaxLength = 20_000;
    public const int KeyLabelMaxLength = 120;
    public const int LeaseOwnerMaxLength = 64;

    /// <summary>What a generation canceled before it was sent says.</summary>
    public const string CanceledBeforeSending = "Canceled before it was sent; nothing was charged.";

    /// <summary>Every legal (from, to) pair. Final states have none; a resumed download may start again.</summary>
    public static readonly IReadOnlySet<(GenerationStatus From, GenerationStatus To)> Transitions = new HashSet<(GenerationStatus, GenerationStatus)>
    {
        (GenerationStatus.Queued, GenerationStatus.Submitting),
        (GenerationStatus.Queued, GenerationStatus.Failed),
        (GenerationStatus.Queued, GenerationStatus.Canceled),
        (GenerationStatus.Submitting, GenerationStatus.Queued),
        (GenerationStatus.Submitting, GenerationStatus.Running),
        (GenerationStatus.Submitting, GenerationStatus.Failed),
        (GenerationStatus.Submitting, GenerationStatus.NeedsReview),
        (GenerationStatus.Running, GenerationStatus.Downloading),
        (GenerationStatus.Running, GenerationStatus.Failed),
        (GenerationStatus.Running, GenerationStatus.Canceled),
        (GenerationStatus.Running, GenerationStatus.NeedsReview),
        (GenerationStatus.Downloading, GenerationStatus.Downloading),
        (GenerationStatus.Downloading, GenerationStatus.Succeeded),
        (GenerationStatus.Downloading, GenerationStatus.Failed),
        (GenerationStatus.Downloading, GenerationStatus.Canceled),
        (GenerationStatus.Downloading, GenerationStatus.NeedsReview),
    };

    private readonly List<GenerationChanged> changes = [];
    private string? model;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid? BatchId { get; init; }
    public Guid CreatedById { get; init; }
    public required string ProviderId { get; init; }
    public string? Model { get => model; init => model = value; }
    public required string Prompt { get; init; }
    public int NumImages { get; init; } = 1;
    /// <summary>The provider's own option fields as JSON (an object), exactly as validated.</summary>
    public string OptionsJson { get; init; } = "{}";

    public GenerationStatus Status { get; private set; } = GenerationStatus.Queued;
    /// <summary>0–100 when the provider reports progress.</summary>
    public int? Progress { get; private set; }
    public string? ErrorCode { get; private set; }
    public string? ErrorMessage { get; private set; }
    /// <summary>The provider's handle (<see cref="ImageHub.Providers.ProviderHandle.Serialize"/>), stored the moment it accepts.</summary>
    public string? HandleJson { get; private set; }
    /// <summary>The vault key that pays; null for the built-in sandbox key.</summary>
    public Guid? KeyId { get; init; }
    public string? KeyLabel { get; init; }

    public decimal? EstimatedCredits { get; init; }
    public decimal? Credits { get; private set; }
    public decimal? CostUsd { get; private set; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    // The queue: a worker owns a row while LeaseUntil is in the future; NextAttemptAt delays a retry (Retry-After).
    public string? LeaseOwner { get; private set; }
    public DateTimeOffset? LeaseUntil { get; private set; }
    public DateTimeOffset? NextAttemptAt { get; private set; }
    public int Attempts { get; private set; }
    /// <summary>Someone asked to cancel while the provider was working; the worker finishes it.</summary>
    public bool CancelRequested { get; private set; }

    /// <summary>True when <paramref name="from"/> may become <paramref name="to"/>.</summary>
    public static bool CanMove(GenerationStatus from, GenerationStatus to) => Transitions.Contains((from, to));

    /// <summary>Queued → Submitting: the POST is about to go (the row says so before it does).</summary>
    public void BeginSubmission(DateTimeOffset now)
    {
        MoveTo(GenerationStatus.Submitting);
        StartedAt ??= now;
        Attempts++;
        NextAttemptAt = null;
        Raise();
    }

    /// <summary>Submitting → Queued: the provider refused for now without accepting (rate limit); try again at <paramref name="at"/>.</summary>
    public void RetryLater(DateTimeOffset at, string reason)
    {
        MoveTo(GenerationStatus.Queued);
        NextAttemptAt = at;
        ErrorMessage = ClipMessage(reason);
        ReleaseLease();
        Raise();
    }

    /// <summary>Submitting → Running: the provider accepted; its handle is what a restart resumes from.</summary>
    public void Accept(string handleJson, decimal? credits, decimal? costUsd, string? model = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(handleJson);
        MoveTo(GenerationStatus.Running);
        HandleJson = handleJson;
        ErrorCode = null;
        ErrorMessage = null;
        Credits = credits;
        CostUsd = costUsd;
        if (model is { Length: > 0 }) this.model = Clip(model, ModelMaxLength);
        Raise();
    }

    /// <summary>The provider's progress while Running; a change only when it differs.</summary>
    public void ReportProgress(int? progress)
    {
        if (Status != GenerationStatus.Running) throw new GenerationTransitionException(this, Status, "report progress");
        if (progress == Progress) return;
        Progress = progress is { } p ? Math.Clamp(p, 0, 100) : null;
        Raise();
    }

    /// <summary>Running → Downloading (or a resumed download starting again): the provider made the images.</summary>
    public void StartDownloading()
    {
        MoveTo(GenerationStatus.Downloading);
        Progress = 100;
        Raise();
    }

    /// <summary>Downloading → Succeeded, with what it cost and, when some images could not be saved, why.</summary>
    public void Succeed(decimal credits, decimal? costUsd, string? warning, DateTimeOffset now) =>
        Finish(GenerationStatus.Succeeded, null, warning, credits, costUsd, now);

    /// <summary>→ Failed. <paramref name="credits"/> is 0 when nothing was charged.</summary>
    public void Fail(string code, string message, decimal credits, decimal? costUsd, DateTimeOffset now) =>
        Finish(GenerationStatus.Failed, code, message, credits, costUsd, now);

    /// <summary>→ Canceled: before it was sent (Queued), or the provider reports it canceled.</summary>
    public void Cancel(string? code, string message, decimal credits, decimal? costUsd, DateTimeOffset now) =>
        Finish(GenerationStatus.Canceled, code, message, credits, costUsd, now);

    /// <summary>
    /// → NeedsReview: the provider may have accepted (and charged) it, but ImageHub cannot tell. It is never sent
    /// again; the charge stays unknown (the reservation stays open) until a person decides.
    /// </summary>
    public void MarkForReview(string code, string message, DateTimeOffset now) =>
        Finish(GenerationStatus.NeedsReview, code, message, Credits, CostUsd, now);

    /// <summary>The changes raised since the last call (each status method raises one); the publisher takes them after saving.</summary>
    public IReadOnlyList<GenerationChanged> TakeChanges()
    {
        var taken = changes.ToList();
        changes.Clear();
        return taken;
    }

    /// <summary>A new row is a change too (to Queued, or wherever it was built to be); raised when it is first saved.</summary>
    internal void RaiseAdded() => Raise();

    /// <summary>How the hub shortens a provider's error code to what a row keeps.</summary>
    public static string ClipCode(string code) => Clip(code, ErrorCodeMaxLength);

    /// <summary>How the hub shortens an error message to what a row keeps.</summary>
    public static string ClipMessage(string message) => Clip(message, ErrorMessageMaxLength);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private void Finish(GenerationStatus status, string? code, string? message, decimal? credits, decimal? costUsd, DateTimeOffset now)
    {
        MoveTo(status);
        ErrorCode = code is null ? null : ClipCode(code);
        ErrorMessage = message is null ? null : ClipMessage(message);
        Credits = credits;
        CostUsd = costUsd;
        CompletedAt = now;
        NextAttemptAt = null;
        ReleaseLease();
        Raise();
    }

    private void MoveTo(GenerationStatus to)
    {
        if (!CanMove(Status, to)) throw new GenerationTransitionException(this, Status, to);
        Status = to;
    }

    private void ReleaseLease()
    {
        LeaseOwner = null;
        LeaseUntil = null;
    }

    private void Raise() => changes.Add(new GenerationChanged(Id, BatchId, Status, Progress));
}

/// <summary>A generation was asked to do what its status does not allow (a bug or a race, never a user's input).</summary>
public sealed class GenerationTransitionException : InvalidOperationException
{
    public GenerationTransitionException(Generation generation, GenerationStatus from, GenerationStatus to)
        : base($"Generation {generation.Id} ({generation.ProviderId}) cannot go from {from} to {to}; " +
               $"from {from} it may go to {Allowed(from)}.")
    {
        From = from;
        To = to;
    }

    public GenerationTransitionException(Generation generation, GenerationStatus status, string action)
        : base($"Generation {generation.Id} ({generation.ProviderId}) cannot {action} while {status}.")
    {
        From = status;
    }

    public GenerationStatus From { get; }
    public GenerationStatus? To { get; }

    private static string Allowed(GenerationStatus from)
    {
        var targets = Generation.Transitions.Where(t => t.From == from).Select(t => t.To.ToString()).ToList();
        return targets.Count == 0 ? "nothing (it is final)" : string.Join(", ", targets);
    }
}

internal sealed class GenerationConfiguration : IEntityTypeConfiguration<Generation>
{
    public void Configure(EntityTypeBuilder<Generation> builder)
    {
        builder.ToTable("Generations");
        builder.Property(g => g.Id).ValueGeneratedNever();
        builder.Property(g => g.ProviderId).HasMaxLength(32);
        builder.Property(g => g.Model).HasMaxLength(Generation.ModelMaxLength);
        builder.Property(g => g.Prompt).HasMaxLength(Generation.PromptMaxLength);
        builder.Property(g => g.OptionsJson).HasMaxLength(Generation.OptionsMaxLength);
        // The status is the concurrency token: a cancel and the worker racing on one Queued row cannot both win.
        builder.Property(g => g.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        builder.Property(g => g.ErrorCode).HasMaxLength(Generation.ErrorCodeMaxLength);
        builder.Property(g => g.ErrorMessage).HasMaxLength(Generation.ErrorMessageMaxLength);
        builder.Property(g => g.HandleJson).HasMaxLength(Generation.HandleMaxLength);
        builder.Property(g => g.KeyLabel).HasMaxLength(Generation.KeyLabelMaxLength);
        builder.Property(g => g.LeaseOwner).HasMaxLength(Generation.LeaseOwnerMaxLength);
        builder.Property(g => g.EstimatedCredits).HasPrecision(18, 4);
        builder.Property(g => g.Credits).HasPrecision(18, 4);
        builder.Property(g => g.CostUsd).HasPrecision(18, 6);
        builder.HasIndex(g => new { g.WorkspaceId, g.CreatedAt });
        builder.HasIndex(g => new { g.Status, g.NextAttemptAt });
        // The workspace's generations by status (in flight, waiting for review): with the tenant filter, SQLite would
        // otherwise walk every generation of the workspace through (WorkspaceId, CreatedAt).
        builder.HasIndex(g => new { g.WorkspaceId, g.Status });
        builder.HasIndex(g => g.BatchId);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(g => g.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
