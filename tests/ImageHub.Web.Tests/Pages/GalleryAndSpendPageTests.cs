using System.Net;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Compose;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Spend;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Pages;

/// <summary>The gallery's paging and the prompt history, through the app's services (the pages themselves: Ui/GalleryAndSpendUiTests).</summary>
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
            await sp.GetRequiredService<LedgerCommitter>().SaveAsync(db, CancellationToken.None);
        });
        return [.. ids];
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
            var first = await query.PageAsync(ImageHub.Web.Features.Gallery.GalleryFilter.None, null, null, take: 3);
            seen.AddRange(first.Items.Select(i => i.Image.Id));
            await FinishedAsync(team.App, "alice@example.com", team.Alpha, "kolbo", "arrived meanwhile", 2, null, at: TimeSpan.FromMinutes(3));
            next = first.NextCursor;
            while (next is not null)
            {
                ImageHub.Web.Features.Gallery.GalleryCursor.TryParse(next, out var cursor);
                var page = await query.PageAsync(ImageHub.Web.Features.Gallery.GalleryFilter.None, cursor, null, take: 3);
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
