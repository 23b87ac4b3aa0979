using System.Net;
using ImageHub.Tests.Infrastructure;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Pages;

/// <summary>/spend/prices over HTTP: only owners and admins get the page (what it shows: Ui/GalleryAndSpendUiTests).</summary>
public sealed class PricesPageTests
{
    [Fact]
    public async Task A_member_asking_for_the_prices_page_is_refused_and_an_owner_gets_it()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        using var owner = app.CreateBrowser();
        await owner.RegisterAsync("owner@example.com", Password);
        var workspace = await app.CreateWorkspaceAsync("owner@example.com", "Pixel Team");
        var token = await app.CreateInviteAsync("owner@example.com", workspace);
        using var member = app.CreateBrowser();
        await member.RegisterAsync("member@example.com", Password, token);

        var page = await owner.GetAsync("/spend/prices");
        var refused = await member.GetAsync("/spend/prices");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("USD per credit", page.Text);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("You do not have permission to open this page", refused.Text);
    }
}
