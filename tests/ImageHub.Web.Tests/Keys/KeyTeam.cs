using System.Net.Http.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Keys;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Keys;

/// <summary>
/// A workspace "Studio" owned by olivia@example.com with marco@example.com as a Member, each signed in with
/// their own cookie, on the real app (sandbox mode on unless asked otherwise, so key checks reach the emulated providers).
/// </summary>
public sealed class KeyTeam : IAsyncDisposable
{
    public const string Owner = "olivia@example.com";
    public const string Member = "marco@example.com";

    public required ImageHubApp App { get; init; }
    public required BrowserClient OwnerBrowser { get; init; }
    public required BrowserClient MemberBrowser { get; init; }
    public required Guid WorkspaceId { get; init; }
    public required Guid OwnerId { get; init; }
    public required Guid MemberId { get; init; }

    public static Dictionary<string, string?> Settings(bool sandbox) => new()
    {
        ["Sandbox:Enabled"] = sandbox ? "true" : "false",
        ["Sandbox:KoalaReadyDelay"] = "00:00:00",
        ["Sandbox:QolabaTaskStepDelay"] = "00:00:00",
        ["Sandbox:KolboStepDelay"] = "00:00:00",
    };

    public static async Task<KeyTeam> CreateAsync(DatabaseKind kind = DatabaseKind.Sqlite, bool sandbox = true)
    {
        var app = ImageHubApp.Create(kind, Settings(sandbox));
        var owner = app.CreateBrowser();
        await owner.RegisterAsync(Owner, Password);
        var workspace = await app.CreateWorkspaceAsync(Owner, "Studio");
        var invite = await app.CreateInviteAsync(Owner, workspace);
        var member = app.CreateBrowser();
        await member.RegisterAsync(Member, Password, invite);
        return new KeyTeam
        {
            App = app,
            OwnerBrowser = owner,
            MemberBrowser = member,
            WorkspaceId = workspace,
            OwnerId = await app.UserIdAsync(Owner),
            MemberId = await app.UserIdAsync(Member),
        };
    }

    /// <summary>Adds a key through the vault as <paramref name="email"/> would on the Keys page; fails the test if refused.</summary>
    public async Task<KeyView> AddKeyAsync(string email, string provider, string label, string secret, KeyScope scope = KeyScope.Personal, DateTimeOffset? expiresAt = null)
    {
        Outcome<KeyView>? result = null;
        var userId = await App.UserIdAsync(email);
        await App.InWorkspaceAsync(email, WorkspaceId, async sp =>
            result = await sp.GetRequiredService<KeyVault>().AddAsync(new AuditActor(userId, "203.0.113.7"),
                new KeyDraft(provider, label, secret, scope == KeyScope.Workspace ? "workspace" : "personal", expiresAt)));
        Assert.True(result!.Succeeded, result.Message);
        return result.Value!;
    }

    /// <summary>Runs <paramref name="action"/> with the vault as <paramref name="email"/> in the team's workspace.</summary>
    public async Task<T> AsAsync<T>(string email, Func<KeyVault, AuditActor, Task<T>> action)
    {
        T value = default!;
        var userId = await App.UserIdAsync(email);
        await App.InWorkspaceAsync(email, WorkspaceId, async sp => value = await action(sp.GetRequiredService<KeyVault>(), new AuditActor(userId, "203.0.113.7")));
        return value;
    }

    /// <summary>Runs <paramref name="action"/> with the resolver in the team's workspace (as the job worker does).</summary>
    public async Task<T> ResolverAsync<T>(Func<KeyResolver, Task<T>> action)
    {
        T value = default!;
        await App.InWorkspaceAsync(Owner, WorkspaceId, async sp => value = await action(sp.GetRequiredService<KeyResolver>()));
        return value;
    }

    public static JsonContent Json(object body) => JsonContent.Create(body);

    public async ValueTask DisposeAsync()
    {
        OwnerBrowser.Dispose();
        MemberBrowser.Dispose();
        await App.DisposeAsync();
    }
}
