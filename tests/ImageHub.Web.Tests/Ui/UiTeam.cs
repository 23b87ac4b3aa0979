using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Features.Spend;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Ui;

/// <summary>
/// The real app (real SQLite, sandbox providers, no worker unless asked) with the workspace "Studio":
/// olivia@example.com is its Owner (and, as the first account, the instance administrator),
/// marco@example.com a Member. Open a page as one of them with <see cref="SignInAsync"/>.
/// </summary>
public sealed class UiTeam : IAsyncDisposable
{
    public const string Owner = "olivia@example.com";
    public const string Member = "marco@example.com";
    public const string WorkspaceName = "Studio";

    public required ImageHubApp App { get; init; }
    public required Guid WorkspaceId { get; init; }

    /// <param name="jobs">Run the job worker (off by default: page tests arrange finished rows themselves).</param>
    public static async Task<UiTeam> CreateAsync(bool sandbox = true, bool jobs = false, DatabaseKind kind = DatabaseKind.Sqlite)
    {
        var app = ImageHubApp.Create(kind, new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = sandbox ? "true" : "false",
            ["Sandbox:KoalaReadyDelay"] = "00:00:00",
            ["Sandbox:QolabaTaskStepDelay"] = "00:00:00",
            ["Sandbox:KolboStepDelay"] = "00:00:00",
            ["Jobs:Enabled"] = jobs ? "true" : "false",
        });
        using var owner = app.CreateBrowser();
        await owner.RegisterAsync(Owner, Password);
        var workspace = await app.CreateWorkspaceAsync(Owner, WorkspaceName);
        var invite = await app.CreateInviteAsync(Owner, workspace);
        using var member = app.CreateBrowser();
        await member.RegisterAsync(Member, Password, invite);
        return new UiTeam { App = app, WorkspaceId = workspace };
    }

    /// <summary>A bUnit context signed in as <paramref name="email"/>, working in the team's workspace (or none).</summary>
    public Task<UiContext> SignInAsync(string email, bool inWorkspace = true) =>
        UiContext.CreateAsync(App, email, inWorkspace ? WorkspaceId : null);

    /// <summary>Registers <paramref name="email"/> through an invite to the team's workspace with <paramref name="role"/>.</summary>
    public async Task<Guid> JoinAsync(string email, Web.Features.Workspaces.WorkspaceRole role = Web.Features.Workspaces.WorkspaceRole.Member)
    {
        var invite = await App.CreateInviteAsync(Owner, WorkspaceId, role);
        using var browser = App.CreateBrowser();
        await browser.RegisterAsync(email, Password, invite);
        return await App.UserIdAsync(email);
    }

    /// <summary>Runs <paramref name="action"/> with the app's services as <paramref name="email"/> in the team's workspace.</summary>
    public async Task<T> AsAsync<T>(string email, Func<IServiceProvider, Task<T>> action)
    {
        T value = default!;
        await App.InWorkspaceAsync(email, WorkspaceId, async sp => value = await action(sp));
        return value;
    }

    /// <summary>Adds a key through the vault as <paramref name="email"/> would on the Keys page; fails the test if refused.</summary>
    public async Task<KeyView> AddKeyAsync(string email, string provider, string label, string secret, KeyScope scope = KeyScope.Personal)
    {
        var userId = await App.UserIdAsync(email);
        var result = await AsAsync(email, sp => sp.GetRequiredService<KeyVault>().AddAsync(new AuditActor(userId, "203.0.113.7"),
            new KeyDraft(provider, label, secret, scope == KeyScope.Workspace ? "workspace" : "personal", null)));
        Assert.True(result.Succeeded, result.Message);
        return result.Value!;
    }

    /// <summary>
    /// A finished generation in <paramref name="workspaceId"/> (the team's by default) with its images and its settlement,
    /// as the worker leaves it; returns the image ids.
    /// </summary>
    public async Task<Guid[]> FinishedAsync(string email, string provider, string prompt, decimal credits, decimal? usd, int images = 1,
        TimeSpan? at = null, string? model = null, string optionsJson = """{"aspect_ratio":"16:9"}""", Guid? workspaceId = null)
    {
        var ids = new List<Guid>();
        await App.InWorkspaceAsync(email, workspaceId ?? WorkspaceId, async sp =>
        {
            var db = sp.GetRequiredService<AppDbContext>();
            var user = await App.UserIdAsync(email);
            var created = App.Clock.GetUtcNow() + (at ?? TimeSpan.Zero);
            var generation = new Generation
            {
                ProviderId = provider, Model = model, Prompt = prompt, CreatedById = user, NumImages = images,
                OptionsJson = optionsJson, EstimatedCredits = credits, CreatedAt = created, KeyLabel = "Team key",
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

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
