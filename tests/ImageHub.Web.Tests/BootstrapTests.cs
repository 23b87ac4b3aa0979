using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests;

public sealed class BootstrapTests
{
    private static Dictionary<string, string?> Bootstrap(string email, string workspace) => new()
    {
        ["Bootstrap:AdminEmail"] = email,
        ["Bootstrap:AdminPassword"] = "unattended install 1",
        ["Bootstrap:Workspace"] = workspace,
    };

    private static Task<(List<string> Users, List<string> Workspaces, bool Admin)> SnapshotAsync(ImageHubApp app) =>
        app.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<AppDbContext>();
            var users = await db.Users.Select(u => u.Email!).ToListAsync();
            var workspaces = await db.Workspaces.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).Select(w => w.Name).ToListAsync();
            var admin = await db.Users.AnyAsync(u => u.IsInstanceAdmin);
            return (users, workspaces, admin);
        });

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Bootstrap_settings_create_the_administrator_and_workspace_once_and_only_once(DatabaseKind kind)
    {
        await using var app = ImageHubApp.Create(kind, Bootstrap("root@example.com", "Ops"));
        _ = app.Services;
        var afterFirstStart = await SnapshotAsync(app);

        await using var restarted = app.Restart(Bootstrap("someone-else@example.com", "Other"));
        _ = restarted.Services;
        var afterSecondStart = await SnapshotAsync(restarted);
        using var browser = restarted.CreateBrowser();
        var home = await browser.LoginAsync("root@example.com", "unattended install 1");
        var memberships = await restarted.InScopeAsync(async sp => await sp.GetRequiredService<ImageHub.Web.Features.Workspaces.WorkspaceDirectory>()
            .ListForUserAsync(await restarted.UserIdAsync("root@example.com")));

        Assert.Equal(["root@example.com"], afterFirstStart.Users);
        Assert.Equal(["Ops"], afterFirstStart.Workspaces);
        Assert.True(afterFirstStart.Admin);
        Assert.Equal(afterFirstStart.Users, afterSecondStart.Users);
        Assert.Equal(afterFirstStart.Workspaces, afterSecondStart.Workspaces);
        Assert.True(home.Path == "/", $"Login landed on {home.Path}. First instance: {app.Errors}. Second: {restarted.Errors}");
        Assert.Contains("Ops", home.Text);
        Assert.Equal([("Ops", ImageHub.Web.Features.Workspaces.WorkspaceRole.Owner)], memberships.Select(m => (m.WorkspaceName, m.Role)));
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Two_instances_starting_at_once_with_bootstrap_settings_both_start_and_make_one_administrator(DatabaseKind kind)
    {
        await using var first = ImageHubApp.Create(kind, Bootstrap("root@example.com", "Ops"));
        await using var second = first.Restart();

        await Task.WhenAll(Task.Run(() => first.Services), Task.Run(() => second.Services));
        var snapshot = await SnapshotAsync(second);

        Assert.Equal(["root@example.com"], snapshot.Users);
        Assert.Equal(["Ops"], snapshot.Workspaces);
        Assert.True(snapshot.Admin);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Of_simultaneous_first_registrations_on_two_instances_exactly_one_becomes_administrator_and_the_rest_are_told_why(DatabaseKind kind)
    {
        await using var first = ImageHubApp.Create(kind);
        await using var second = first.Restart();
        _ = first.Services;
        _ = second.Services;

        var attempts = Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? first : second).InScopeAsync(sp =>
            sp.GetRequiredService<AccountService>().RegisterAsync($"person{i}@example.com", "a long enough passphrase " + i)));
        var results = await Task.WhenAll(attempts);
        var snapshot = await SnapshotAsync(first);

        var winner = Assert.Single(results, r => r.Succeeded);
        Assert.True(winner.Value!.IsInstanceAdmin);
        Assert.Equal([winner.Value.Email!], snapshot.Users);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Contains("Someone else has just created this ImageHub's first account. This ImageHub is invite-only.", r.Message));
    }

    [Fact]
    public async Task Without_bootstrap_settings_the_instance_starts_empty_with_registration_open_for_the_first_person()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var browser = app.CreateBrowser();

        var form = await browser.GetAsync("/Account/Register");

        Assert.Empty((await SnapshotAsync(app)).Users);
        Assert.Contains("This is the first account of this ImageHub: it becomes the instance administrator.", form.Text);
    }

    [Fact]
    public async Task A_bootstrap_password_the_rules_refuse_stops_the_start_with_the_rule_and_not_the_password()
    {
        var settings = Bootstrap("root@example.com", "Ops");
        settings["Bootstrap:AdminPassword"] = "short";
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, settings);

        var error = Assert.Throws<InvalidOperationException>(() => app.Services);

        Assert.Contains("Passwords must be at least 12 characters.", error.Message);
        Assert.DoesNotContain("short", error.Message.Replace("Passwords", "", StringComparison.Ordinal));
    }
}
