using System.Net;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Admin;
using ImageHub.Web.Features.Compose;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Spend;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Pages;

/// <summary>The gallery, image and spend pages as the server renders them for a member (real app, real SQLite or PostgreSQL).</summary>
public sealed class GalleryAndSpendPageTests
{
    private sealed record Team(ImageHubApp App, BrowserClient Alice, BrowserClient Bob, Guid Alpha, Guid Bravo) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Alice.Dispose();
            Bob.Dispose();
            await App.DisposeAsync();
        }
    }

    /// <summary>Alice owns "Alpha Studio", Bob owns "Bravo Labs".</summary>
    private static async Task<Team> TwoTeamsAsync(DatabaseKind kind)
    {
        var app = ImageHubApp.Create(kind, new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        var alice = app.CreateBrowser();
        var bob = app.CreateBrowser();
        await alice.RegisterAsync("alice@example.com", Password);
        await app.InScopeAsync(sp => sp.GetRequiredService<AccountService>().SetRegistrationModeAsync(RegistrationMode.Open));
        await bob.RegisterAsync("bob@example.com", Password);
        var alpha = await app.CreateWorkspaceAsync("alice@example.com", "Alpha Studio");
        var bravo = await app.CreateWorkspaceAsync("bob@example.com", "Bravo Labs");
        return new Team(app, alice, bob, alpha, bravo);
    }

    /// <summary>A finished generation with its images and its settlement, as the worker leaves it.</summary>
    private static async Task<Guid[]> FinishedAsync(ImageHubApp app, string email, Guid workspace, string provider, string prompt, decimal credits, decimal? usd,
        int images = 1, TimeSpan? at = null)
    {
        var ids = new List<Guid>();
        await app.InWorkspaceAsync(email, workspace, async sp =>
        {
            var db = sp.GetRequiredService<AppDbContext>();
            var user = await app.UserIdAsync(email);
            var created = app.Clock.GetUtcNow() + (at ?? TimeSpan.Zero);
            var generation = new Generation
            {
                ProviderId = provider, Prompt = prompt, CreatedById = user, NumImages = images,
                OptionsJson = """{"aspect_ratio":"16:9"}""", EstimatedCredits = credits, CreatedAt = created, KeyLabel = "Team key",
            };
            generation.BeginSubmission(created);
            generation.Accept("""{"provider":"test"}""", credits, usd);
            generation.StartDownloading();
            generation.Succeed(credits, usd, null, created.AddSeconds(3));
            db.Add(generation);
            for (var i = 0; i < images; i++)
            {
                var image = new GeneratedImage { GenerationId = generation.Id, Index = i, Sha256 = new string((char)('a' + i), 64), ContentType = "image/png",
                    Width = 1024, Height = 576, Length = 1000, CreatedAt = created };
                db.Add(image);
                ids.Add(image.Id);
            }
            Ledger.Reserve(db, generation, created, usd);
            Ledger.Settle(db, generation, credits, usd, images, created.AddSeconds(3));
            await db.SaveChangesAsync();
        });
        return [.. ids];
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task The_gallery_shows_the_workspaces_images_newest_first_and_never_another_workspaces(DatabaseKind kind)
    {
        await using var team = await TwoTeamsAsync(kind);
        await FinishedAsync(team.App, "alice@example.com", team.Alpha, "koala", "An old lighthouse", 1, null, at: TimeSpan.FromMinutes(1));
        await FinishedAsync(team.App, "alice@example.com", team.Alpha, "coals", "A neon city", 2, 0.02m, at: TimeSpan.FromMinutes(2));
        await FinishedAsync(team.App, "bob@example.com", team.Bravo, "kolbo", "Bravo's secret prototype", 4, null);

        var page = await team.Alice.GetAsync("/gallery");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var neon = page.Text.IndexOf("A neon city", StringComparison.Ordinal);
        var lighthouse = page.Text.IndexOf("An old lighthouse", StringComparison.Ordinal);
        Assert.True(neon >= 0 && lighthouse > neon, "newest first: the neon city before the lighthouse");
        Assert.Contains("Coals · 2 cr ($0.02) · alice@example.com", page.Text);
        Assert.DoesNotContain("Bravo's secret prototype", page.Text);
    }

    [Fact]
    public async Task Paging_the_gallery_shows_every_image_once_even_when_new_ones_arrive_between_pages()
    {
        await using var team = await TwoTeamsAsync(DatabaseKind.Sqlite);
        var older = await FinishedAsync(team.App, "alice@example.com", team.Alpha, "koala", "older", 4, null, images: 4, at: TimeSpan.FromMinutes(1));
        var newer = await FinishedAsync(team.App, "alice@example.com", team.Alpha, "coals", "newer", 2, 0.02m, images: 3, at: TimeSpan.FromMinutes(2));
        var seen = new List<Guid>();
        string? next = null;

        await team.App.InWorkspaceAsync("alice@example.com", team.Alpha, async sp =>
        {
            var query = sp.GetRequiredService<ImageHub.Web.Features.Gallery.GalleryQuery>();
            var first = await query.PageAsync(null, take: 3);
            seen.AddRange(first.Items.Select(i => i.Image.Id));
            await FinishedAsync(team.App, "alice@example.com", team.Alpha, "kolbo", "arrived meanwhile", 2, null, at: TimeSpan.FromMinutes(3));
            next = first.NextCursor;
            while (next is not null)
            {
                var page = await query.PageAsync(next, take: 3);
                seen.AddRange(page.Items.Select(i => i.Image.Id));
                next = page.NextCursor;
            }
        });

        Assert.Equal(7, seen.Count);
        Assert.Equal(7, seen.Distinct().Count());
        Assert.Equal(newer.Concat(older).ToHashSet(), seen.ToHashSet());
        Assert.Equal(newer.ToHashSet(), seen.Take(3).ToHashSet()); // newest first
    }

    [Fact]
    public async Task An_empty_gallery_says_what_to_do_next()
    {
        await using var team = await TwoTeamsAsync(DatabaseKind.Sqlite);

        var page = await team.Alice.GetAsync("/gallery");

        Assert.Contains("No images yet. Compose something", page.Text);
    }

    [Fact]
    public async Task The_image_page_shows_every_parameter_cost_and_author_and_another_workspace_gets_nothing()
    {
        await using var team = await TwoTeamsAsync(DatabaseKind.Sqlite);
        var images = await FinishedAsync(team.App, "alice@example.com", team.Alpha, "qolaba", "A paper boat", 6, 0.03m, images: 2);

        var own = await team.Alice.GetAsync($"/images/{images[1]}/view");
        var others = await team.Bob.GetAsync($"/images/{images[1]}/view");

        Assert.Contains("A paper boat", own.Text);
        Assert.Contains("aspect_ratio 16:9", own.Text);
        Assert.Contains("6 credits (Qolaba) · $0.03 for 2 images", own.Text);
        Assert.Contains("alice@example.com", own.Text);
        Assert.Contains($"href=\"/images/{images[1]}\" download=", own.Html);
        Assert.Contains("?again=", own.Html);
        Assert.Contains("This image is not in your workspace", others.Text);
        Assert.DoesNotContain("A paper boat", others.Text);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task The_spend_page_totals_this_months_settled_credits_per_provider_and_per_member(DatabaseKind kind)
    {
        await using var team = await TwoTeamsAsync(kind);
        var invite = await team.App.CreateInviteAsync("alice@example.com", team.Alpha);
        using var carol = team.App.CreateBrowser();
        await carol.RegisterAsync("carol@example.com", Password, invite);
        await FinishedAsync(team.App, "alice@example.com", team.Alpha, "coals", "one", 2, 0.02m);
        await FinishedAsync(team.App, "carol@example.com", team.Alpha, "coals", "two", 2, 0.02m, images: 2);
        await FinishedAsync(team.App, "carol@example.com", team.Alpha, "qolaba", "three", 6, 0.03m);
        await FinishedAsync(team.App, "bob@example.com", team.Bravo, "qolaba", "elsewhere", 600, 3m);

        var page = await team.Alice.GetAsync("/spend");

        Assert.Contains("May 2026", page.Text);
        Assert.Contains("Coals 4 $0.04 3 2", page.Text);      // credits, USD, images, runs
        Assert.Contains("Qolaba 6 $0.03 1 1", page.Text);
        Assert.Contains("carol@example.com 2 Coals · 6 Qolaba $0.05 3 2", page.Text);
        Assert.Contains("alice@example.com 2 Coals $0.02 1 1", page.Text);
        Assert.Contains("$0.07", page.Text);
        Assert.DoesNotContain("600", page.Text);
    }

    [Fact]
    public async Task A_month_without_spend_says_where_spend_comes_from()
    {
        await using var team = await TwoTeamsAsync(DatabaseKind.Sqlite);

        var page = await team.Alice.GetAsync("/spend");

        Assert.Contains("Nothing spent in May 2026", page.Text);
    }

    [Fact]
    public async Task Prompt_history_is_per_member_newest_first_and_a_repeat_moves_to_the_top()
    {
        await using var team = await TwoTeamsAsync(DatabaseKind.Sqlite);
        var invite = await team.App.CreateInviteAsync("alice@example.com", team.Alpha);
        using var carol = team.App.CreateBrowser();
        await carol.RegisterAsync("carol@example.com", Password, invite);
        var alice = await team.App.UserIdAsync("alice@example.com");
        var carolId = await team.App.UserIdAsync("carol@example.com");

        IReadOnlyList<string> aliceSees = [], carolSees = [];
        await team.App.InWorkspaceAsync("alice@example.com", team.Alpha, async sp =>
        {
            var history = sp.GetRequiredService<PromptHistoryService>();
            await history.RecordAsync(alice, "first", ["koala"]);
            team.App.Clock.Advance(TimeSpan.FromMinutes(1));
            await history.RecordAsync(alice, "second", ["kolbo"]);
            team.App.Clock.Advance(TimeSpan.FromMinutes(1));
            await history.RecordAsync(alice, "first", ["koala", "coals"]);
            await history.RecordAsync(carolId, "carol's own", ["qolaba"]);
            aliceSees = (await history.RecentAsync(alice)).Select(e => e.Prompt).ToList();
            carolSees = (await history.RecentAsync(carolId)).Select(e => e.Prompt).ToList();
        });

        Assert.Equal(["first", "second"], aliceSees);
        Assert.Equal(["carol's own"], carolSees);
    }
}
