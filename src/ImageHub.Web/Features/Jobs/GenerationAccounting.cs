using ImageHub.Providers;
using ImageHub.Web.Data;

namespace ImageHub.Web.Features.Jobs;

/// <summary>
/// What a generation costs, in the provider's credits and in USD. Jobs asks; the spend feature answers
/// (Features/Spend's <c>PricingService</c>, with the workspace's price overrides), so Jobs does not depend on how prices are kept.
/// </summary>
public interface IGenerationPricing
{
    /// <summary>
    /// The credits a run is expected to cost (null when the price is not known up front) and their USD where the rate is
    /// known, from one reading of the workspace's prices.
    /// </summary>
    Task<PriceEstimate> EstimateAsync(IImageProvider provider, GenerationRequest request, ProviderCapabilities capabilities, CancellationToken ct = default);

    /// <summary>What the provider charged: its own report, or the workspace's price for the model where the hub prices the provider.</summary>
    Task<decimal?> ChargedCreditsAsync(string providerId, string? model, int images, decimal? reported, CancellationToken ct = default);

    /// <summary>The credits in USD where the provider's rate is known.</summary>
    Task<decimal?> ToUsdAsync(string providerId, decimal? credits, CancellationToken ct = default);
}

/// <summary>What a run should cost: credits in the provider's unit and USD, each null where not known.</summary>
public sealed record PriceEstimate(decimal? Credits, decimal? Usd);

/// <summary>
/// How a generation's cost is booked. Each call adds one ledger line to <paramref name="db"/>'s changes;
/// <see cref="SaveAsync"/> commits them in one transaction with the generation's new status (the spend feature's
/// <c>LedgerCommitter</c> implements it, with the budgets' check and counters).
/// </summary>
public interface IGenerationLedger
{
    void Reserve(AppDbContext db, Generation generation, DateTimeOffset now, decimal? usd);
    void Settle(AppDbContext db, Generation generation, decimal credits, decimal? usd, int images, DateTimeOffset now);
    void Release(AppDbContext db, Generation generation, DateTimeOffset now);

    /// <summary>Saves <paramref name="db"/>; throws <see cref="GenerationRefusedException"/> when a reservation is refused, and then nothing is stored.</summary>
    Task SaveAsync(AppDbContext db, CancellationToken ct);
}

/// <summary>A submission refused as a whole before anything was stored (for example a hard budget without room), with the message for the member.</summary>
public class GenerationRefusedException(Failure failure) : Exception(failure.Message)
{
    public Failure Failure { get; } = failure;
}
