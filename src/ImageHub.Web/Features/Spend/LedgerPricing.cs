using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Spend;

/// <summary>
/// A workspace's price override: USD per credit of a provider (<see cref="Model"/> null), or Koala's credits
/// per image of one model (<see cref="Model"/> set). Absent rows mean the documented defaults.
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

/// <summary>Koala's credits per image for one model.</summary>
public sealed record ModelPrice(string ProviderId, string Model, decimal? CreditsPerImage, bool IsOverridden);

/// <summary>
/// USD per credit per provider (Qolaba 0.005 and Coals 0.01 as documented; Koala and Kolbo unknown until an
/// admin sets them) and Koala's per-model credit prices (documented defaults from the Koala client, editable).
/// Everything is per workspace, read in the current workspace.
/// </summary>
public sealed class PricingService(AppDbContext db, WorkspaceAccess access, IProviderRegistry providers, TimeProvider time)
{
    /// <summary>Rates the providers document.</summary>
    public static readonly IReadOnlyDictionary<string, decimal> DocumentedUsdPerCredit = new Dictionary<string, decimal>
    {
        [ProviderIds.Qolaba] = 0.005m,
        [ProviderIds.Coals] = 0.01m,
    };

    public async Task<IReadOnlyList<ProviderPrice>> ListAsync(CancellationToken ct = default)
    {
        var overrides = await db.Set<PriceSetting>().AsNoTracking().Where(p => p.Model == null).ToListAsync(ct);
        return providers.All.Select(p =>
        {
            var set = overrides.FirstOrDefault(o => o.ProviderId == p.Id)?.UsdPerCredit;
            var documented = DocumentedUsdPerCredit.TryGetValue(p.Id, out var d) ? d : (decimal?)null;
            return new ProviderPrice(p.Id, p.DisplayName, set ?? documented, documented is not null, set is not null);
        }).ToList();
    }

    public async Task<decimal?> UsdPerCreditAsync(string providerId, CancellationToken ct = default)
    {
        var set = await db.Set<PriceSetting>().AsNoTracking()
            .Where(p => p.ProviderId == providerId && p.Model == null).Select(p => p.UsdPerCredit).FirstOrDefaultAsync(ct);
        return set ?? (DocumentedUsdPerCredit.TryGetValue(providerId, out var d) ? d : null);
    }

    /// <summary>USD for <paramref name="credits"/> at the provider's rate, or null when the rate is unknown.</summary>
    public async Task<decimal?> ToUsdAsync(string providerId, decimal? credits, CancellationToken ct = default) =>
        credits is { } c && await UsdPerCreditAsync(providerId, ct) is { } rate ? Math.Round(c * rate, 6) : null;

    /// <summary>An admin's override of a Koala model's credits per image, or null when none is set.</summary>
    public Task<decimal?> KoalaCreditsPerImageAsync(string model, CancellationToken ct = default) =>
        db.Set<PriceSetting>().AsNoTracking()
            .Where(p => p.ProviderId == ProviderIds.Koala && p.Model == model).Select(p => p.CreditsPerImage).FirstOrDefaultAsync(ct);

    public async Task<IReadOnlyList<ModelPrice>> ListKoalaModelsAsync(CancellationToken ct = default)
    {
        var capabilities = await providers.Get(ProviderIds.Koala).GetCapabilitiesAsync(null, ct);
        var overrides = await db.Set<PriceSetting>().AsNoTracking().Where(p => p.ProviderId == ProviderIds.Koala && p.Model != null).ToListAsync(ct);
        return capabilities.Models.Select(m =>
        {
            var set = overrides.FirstOrDefault(o => o.Model == m.Id)?.CreditsPerImage;
            return new ModelPrice(ProviderIds.Koala, m.Id, set ?? m.CreditsPerImage, set is not null);
        }).ToList();
    }

    /// <summary>Sets (or with null clears) a provider's USD per credit. Workspace admins only; false otherwise.</summary>
    public Task<string?> SetUsdPerCreditAsync(Guid userId, string providerId, decimal? usdPerCredit, CancellationToken ct = default) =>
        UpsertAsync(userId, providerId, null, usdPerCredit, (p, v) => p.UsdPerCredit = v, ct);

    /// <summary>Sets (or with null clears) Koala's credits per image for a model. Returns an error message, or null when saved.</summary>
    public Task<string?> SetKoalaCreditsPerImageAsync(Guid userId, string model, decimal? creditsPerImage, CancellationToken ct = default) =>
        UpsertAsync(userId, ProviderIds.Koala, model, creditsPerImage, (p, v) => p.CreditsPerImage = v, ct);

    private async Task<string?> UpsertAsync(Guid userId, string providerId, string? model, decimal? value, Action<PriceSetting, decimal?> apply, CancellationToken ct)
    {
        if (!await access.IsAdminAsync(ct)) return "Only the workspace's owners and admins can change prices.";
        if (!providers.TryGet(providerId, out var provider)) return $"There is no provider \"{providerId}\".";
        if (value is < 0 or > 1_000_000) return "A price must be between 0 and 1,000,000.";
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
        return null;
    }
}
