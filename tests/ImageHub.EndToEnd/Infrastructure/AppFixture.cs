using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ImageHub.EndToEnd.Infrastructure;

/// <summary>
/// One running app (sandbox providers, real SQLite, Kestrel on loopback) and one Chromium per test class
/// (xUnit class fixture): starting them is most of an end-to-end test's time. The instance administrator is
/// made here, and registration is open, so every test signs up its own people and workspaces and never sees
/// another test's rows.
/// </summary>
public class AppFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery";
    public const string AdminEmail = "admin@imagehub.test";

    private ImageHubApp? app;
    private IPlaywright? playwright;
    private IBrowser? browser;
    private int people;

    public ImageHubApp App => app ?? throw new InvalidOperationException("Not started.");
    public Uri BaseUrl { get; private set; } = default!;
    public IBrowser Browser => browser ?? throw new InvalidOperationException("Not started.");
    public SandboxMode Sandbox => App.Services.GetRequiredService<SandboxMode>();

    /// <summary>Sandbox settings; a fixture for slower providers overrides them.</summary>
    protected virtual Dictionary<string, string?> Settings => new()
    {
        ["Sandbox:Enabled"] = "true",
        ["Sandbox:KoalaReadyDelay"] = "00:00:00",
        ["Sandbox:QolabaTaskStepDelay"] = "00:00:00",
        ["Sandbox:KolboStepDelay"] = "00:00:00",
    };

    public virtual async ValueTask InitializeAsync()
    {
        app = ImageHubApp.Create(DatabaseKind.Sqlite, Settings, environment: "Development");
        BaseUrl = app.StartOnLoopback();
        await app.InScopeAsync(async sp =>
        {
            var accounts = sp.GetRequiredService<AccountService>();
            // As Bootstrap:AdminEmail does (also where Oidc:DisableLocalLogin turns registration off).
            var admin = await accounts.RegisterFirstAdministratorAsync(AdminEmail, Password);
            Assert.True(admin?.Succeeded);
            await accounts.SetRegistrationModeAsync(RegistrationMode.Open);
        });
        (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
    }

    /// <summary>A unique email for a new person in this app ("ada-3@example.com").</summary>
    public string NewEmail(string name) => $"{name}-{Interlocked.Increment(ref people)}@example.com";

    /// <summary>A page in a fresh browser context (its own cookies) at the given size and colour scheme.</summary>
    public Task<IPage> OpenAsync(ViewportSize? viewport = null, ColorScheme colorScheme = ColorScheme.Light) =>
        Infrastructure.Browser.OpenAsync(Browser, BaseUrl, viewport ?? Viewports.Desktop, colorScheme);

    public virtual async ValueTask DisposeAsync()
    {
        if (browser is not null) await browser.DisposeAsync();
        playwright?.Dispose();
        if (app is not null) await app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The app with Kolbo slow enough (3 s a step) to cancel a running generation.</summary>
public sealed class SlowKolboFixture : AppFixture
{
    protected override Dictionary<string, string?> Settings => new(base.Settings) { ["Sandbox:KolboStepDelay"] = "00:00:03" };
}

/// <summary>The two screens the issue names: a 1366×900 laptop and a 390×844 phone.</summary>
public static class Viewports
{
    public static ViewportSize Desktop => new() { Width = 1366, Height = 900 };
    public static ViewportSize Phone => new() { Width = 390, Height = 844 };
}
