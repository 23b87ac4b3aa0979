using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Spend;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Jobs;

/// <summary>One price book: an admin's model price is what the estimate reserves and what the settlement charges.</summary>
public sealed class PriceTableTests
{
    [Fact]
    public async Task An_admins_price_for_a_model_the_hub_prices_itself_is_reserved_and_settled_and_other_providers_are_not_priced_here()
    {
        await using var host = JobsHost.Start();
        var adminId = await host.App.UserIdAsync(JobsHost.AdminEmail);
        var studio = await host.InDatabaseAsync(db => db.Set<Workspace>().IgnoreQueryFilters().Where(w => w.Name == "Studio").Select(w => w.Id).SingleAsync());
        Outcome? koala = null, qolaba = null;
        await host.App.InWorkspaceAsync(JobsHost.AdminEmail, studio, async sp =>
        {
            var pricing = sp.GetRequiredService<PricingService>();
            koala = await pricing.SetModelCreditsPerImageAsync(adminId, "koala", "standard", 3m);
            qolaba = await pricing.SetModelCreditsPerImageAsync(adminId, "qolaba", "vertex/imagen-4", 3m);
        });

        var id = await host.SubmitAsync("koala", "a fox", numImages: 2);
        var done = await host.WaitForAsync(id);
        var ledger = await host.LedgerAsync(id);

        Assert.True(koala!.Succeeded, koala.Message);
        Assert.False(qolaba!.Succeeded);
        Assert.Equal("Qolaba reports what each generation cost; its model prices are not set here.", qolaba.Errors["creditsPerImage"].Single());
        Assert.Equal("Succeeded", done.GetProperty("status").GetString());
        Assert.Equal(6m, Assert.Single(ledger, e => e.Kind == LedgerEntryKind.Reservation).Credits);
        Assert.Equal(6m, Assert.Single(ledger, e => e.Kind == LedgerEntryKind.Settlement).Credits);
        Assert.Equal(6m, done.GetProperty("credits").GetDecimal());
    }
}
