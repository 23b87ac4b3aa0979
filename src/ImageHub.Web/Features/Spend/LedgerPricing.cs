using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Spend;

/// <summary>
/// A workspace's price override: USD per credit of a provider (<see cref="Model"/> null), or the credits per
/// image of one model (<see cref="Model"/> set) of a provider the hub prices itself. Absent rows mean the documented defaults.
/// </summary>
public sealed class PriceSetting : IWorkspaceScoped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string ProviderId { get; init; }
    public string? Model { get; init; }
    public decimal? UsdPerCredit { get; set; }
    public decimal? CreditsPerImage { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid UpdatedById { get; set; }
}

internal sealed class PriceSettingConfiguration : IEntityTypeConfiguration<PriceSetting>
{
    public void Configure(EntityTypeBuilder<PriceSetting> builder)
    {
        builder.ToTable("PriceSettings");
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.ProviderId).HasMaxLength(32);
        builder.Property(p => p.Model).HasMaxLength(200);
        builder.Property(p => p.UsdPerCredit).HasPrecision(18, 6);
        builder.Property(p => p.CreditsPerImage).HasPrecision(18, 4);
        builder.HasIndex(p => new { p.WorkspaceId, p.ProviderId, p.Model }).IsUnique();
        builder.HasOne<Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>A provider's price as the ledger uses it.</summary>
public sealed record ProviderPrice(string ProviderId, string DisplayName, decimal? UsdPerCredit, bool IsDocumented, bool IsOverridden);

/// <summary>A model's credits per image, for a provider the hub prices itself (<see cref="ProviderProfile.ChargedByPriceTable"/>).</summary>
public sealed record ModelPrice(string ProviderId, string Model, decimal? CreditsPerImage, bool IsOverridden);

/// <summary>
/// One workspace's prices at one moment: USD per credit per provider (an admin's rate, else the provider's
/// documented one) and the admins' per-model credit prices for providers the hub prices itself. The only
/// place a price override is applied: the estimate shown, the reservation and the settlement all ask it.
/// </summary>
public sealed class PriceBook(IReadOnlyDictionary<string, decimal?> usdPerCredit, IReadOnlyDictionary<(string Provider, string Model), decimal> creditsPerImage)
{
    public static PriceBook Empty { get; } = new(new Dictionary<string, decimal?>(), new Dictionary<(string, string), decimal>());

    /// <summary>USD per credit, or null when neither the provider nor an admin says.</summary>
    public decimal? UsdPerCredit(IImageProvider provider) => usdPerCredit.TryGetValue(provider.Id, out var set) && set is not null ? set : provider.Profile.UsdPerCredit;

    public decimal? Usd(IImageProvider provider, decimal? credits) =>
        credits is { } c && UsdPerCredit(provider) is { } rate ? Math.Round(c * rate, 6) : null;

    /// <summary>An admin's credits per image for this model, where the hub prices the provider itself.</summary>
    public decimal? CreditsPerImage(IImageProvider provider, string? model) =>
        provider.Profile.ChargedByPriceTable && model is not null && creditsPerImage.TryGetValue((provider.Id, model), out var perImage) ? perImage : null;

    /// <summary>What the request should cost in the provider's credits: the admin's price for the model, else the provider's estimate.</summary>
    public decimal? Estimate(IImageProvider provider, GenerationRequest request, ProviderCapabilities capabilities) =>
        CreditsPerImage(provider, request.Model ?? capabilities.DefaultModel) is { } perImage
            ? perImage * (request.NumImages ?? 1)
            : provider.EstimateCredits(request, capabilities);

    /// <summary>What a finished generation is charged: the admin's price for the model times the images, else what the provider reported.</summary>
    public decimal? Charged(IImageProvider provider, string? model, int images, decimal? reported) =>
        CreditsPerImage(provider, model) is { } perImage ? perImage * images : reported;
}

/// <summary>
/// USD per credit per provider (the rate each provider documents, or an admin's) and, for providers the hub
/// prices itself (Koala), credits per image per model (the client's documented prices, or an admin's).
/// Everything is per workspace, read in the current workspace. Each call uses a context of its own, so calls
/// from one circuit may overlap.
/// </summary>
public sealed class PricingService(IDbContextFactory<AppDbContext> contexts, WorkspaceAccess access, IProviderRegistry providers, TimeProvider time) : IGenerationPricing
{
    /// <summary>The current workspace's prices, for the estimate, the reservation and the settlement.</summary>
    public async Task<PriceBook> LoadAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Set<PriceSetting>().AsNoTracking().ToListAsync(ct);
        return new PriceBook(
            rows.Where(r => r.Model == null).GroupBy(r => r.ProviderId).ToDictionary(g => g.Key, g => g.First().UsdPerCredit),
            rows.Where(r => r.Model != null && r.CreditsPerImage != null).ToDictionary(r => (r.ProviderId, r.Model!), r => r.CreditsPerImage!.Value));
    }

    public async Task<IReadOnlyList<ProviderPrice>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var overrides = await db.Set<PriceSetting>().AsNoTracking().Where(p => p.Model == null).ToListAsync(ct);
        return providers.All.Select(p =>
        {
            var set = overrides.FirstOrDefault(o => o.ProviderId == p.Id)?.UsdPerCredit;
            var documented = p.Profile.UsdPerCredit;
            return new ProviderPrice(p.Id, p.DisplayName, set ?? documented, documented is not null, set is not null);
        }).ToList();
    }

    /// <summary>USD for <paramref name="credits"/> at the provider's rate, or null when the rate is unknown.</summary>
    public async Task<decimal?> ToUsdAsync(string providerId, decimal? credits, CancellationToken ct = default) =>
        credits is null || !providers.TryGet(providerId, out var provider) ? null : (await LoadAsync(ct)).Usd(provider, credits);

    /// <summary>The credits a request should reserve (an admin's model price where one applies, else the provider's estimate) and their USD.</summary>
    public async Task<PriceEstimate> EstimateAsync(IImageProvider provider, GenerationRequest request, ProviderCapabilities capabilities, CancellationToken ct = default)
    {
        var book = await LoadAsync(ct);
        var credits = book.Estimate(provider, request, capabilities);
        return new PriceEstimate(credits, book.Usd(provider, credits));
    }

    /// <summary>What a finished generation is charged: an admin's model price where one applies, else what the provider reported.</summary>
    public async Task<decimal?> ChargedCreditsAsync(string providerId, string? model, int images, decimal? reported, CancellationToken ct = default) =>
        providers.TryGet(providerId, out var provider) ? (await LoadAsync(ct)).Charged(provider, model, images, reported) : reported;

    /// <summary>Credits per image per model of every provider the hub prices itself, with the admins' overrides.</summary>
    public async Task<IReadOnlyList<ModelPrice>> ListModelPricesAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var overrides = await db.Set<PriceSetting>().AsNoTracking().Where(p => p.Model != null).ToListAsync(ct);
        var prices = new List<ModelPrice>();
        foreach (var provider in providers.All.Where(p => p.Profile.ChargedByPriceTable))
        {
            var capabilities = await provider.GetCapabilitiesAsync(null, ct);
            prices.AddRange(capabilities.Models.Select(m =>
            {
                var set = overrides.FirstOrDefault(o => o.ProviderId == provider.Id && o.Model == m.Id)?.CreditsPerImage;
                return new ModelPrice(provider.Id, m.Id, set ?? m.CreditsPerImage, set is not null);
            }));
        }
        return prices;
    }

    /// <summary>Sets (or with null clears) a provider's USD per credit. Workspace admins only.</summary>
    public Task<Outcome> SetUsdPerCreditAsync(Guid userId, string providerId, decimal? usdPerCredit, CancellationToken ct = default) =>
        UpsertAsync(userId, providerId, null, usdPerCredit, (p, v) => p.UsdPerCredit = v, ct);

    /// <summary>Sets (or with null clears) a model's credits per image, for a provider the hub prices itself. Workspace admins only.</summary>
    public async Task<Outcome> SetModelCreditsPerImageAsync(Guid userId, string providerId, string model, decimal? creditsPerImage, CancellationToken ct = default)
    {
        if (providers.TryGet(providerId, out var provider) && !provider.Profile.ChargedByPriceTable)
            return Failure.Invalid("creditsPerImage", $"{provider.DisplayName} reports what each generation cost; its model prices are not set here.");
        return await UpsertAsync(userId, providerId, model, creditsPerImage, (p, v) => p.CreditsPerImage = v, ct);
    }

    private async Task<Outcome> UpsertAsync(Guid userId, string providerId, string? model, decimal? value, Action<PriceSetting, decimal?> apply, CancellationToken ct)
    {
        if (!await access.IsAdminAsync(ct)) return Failure.Forbidden("Only the workspace's owners and admins can change prices.");
        if (!providers.TryGet(providerId, out var provider)) return Failure.Invalid("provider", $"There is no provider \"{providerId}\".");
        if (value is < 0 or > 1_000_000) return Failure.Invalid(model is null ? "usdPerCredit" : "creditsPerImage", "A price must be between 0 and 1,000,000.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Set<PriceSetting>().FirstOrDefaultAsync(p => p.ProviderId == provider.Id && p.Model == model, ct);
        if (row is null)
        {
            row = new PriceSetting { ProviderId = provider.Id, Model = model };
            db.Add(row);
        }
        apply(row, value);
        row.UpdatedAt = time.GetUtcNow();
        row.UpdatedById = userId;
        await db.SaveChangesAsync(ct);
        return Outcome.Ok();
    }
}
