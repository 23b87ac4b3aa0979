using System.Net;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Spend;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Pages;

/// <summary>/spend/prices: owners and admins set USD per credit and Koala's per-model prices; members cannot.</summary>
public sealed class PricesPageTests
{
    [Fact]
    public async Task An_owner_sees_the_published_rates_and_the_prices_set_here_and_a_member_is_refused()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        using var owner = app.CreateBrowser();
        await owner.RegisterAsync("owner@example.com", Password);
        var workspace = await app.CreateWorkspaceAsync("owner@example.com", "Pixel Team");
        var ownerId = await app.UserIdAsync("owner@example.com");
        var saved = new List<Outcome>();
        await app.InWorkspaceAsync("owner@example.com", workspace, async sp =>
        {
            var pricing = sp.GetRequiredService<PricingService>();
            saved.Add(await pricing.SetUsdPerCreditAsync(ownerId, "kolbo", 0.0123m));
            saved.Add(await pricing.SetKoalaCreditsPerImageAsync(ownerId, "premium", 7m));
        });
        var token = await app.CreateInviteAsync("owner@example.com", workspace);
        using var member = app.CreateBrowser();
        await member.RegisterAsync("member@example.com", Password, token);

        var page = await owner.GetAsync("/spend/prices");
        var spend = await owner.GetAsync("/spend");
        var refused = await member.GetAsync("/spend/prices");
        var memberSpend = await member.GetAsync("/spend");

        Assert.All(saved, s => Assert.True(s.Succeeded, s.Message));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("0.005", page.Html);   // Qolaba's published rate
        Assert.Contains("0.0123", page.Html);  // Kolbo's, set here
        Assert.Contains("published rate", page.Text);
        Assert.Contains("set here", page.Text);
        Assert.Contains("data-testid=\"koala-premium\"", page.Html);
        Assert.Contains("prices-link", spend.Html);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("You do not have permission to open this page", refused.Text);
        Assert.DoesNotContain("prices-link", memberSpend.Html);
    }
}
