using ImageHub.Providers;
using ImageHub.Providers.Kolbo;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Tests;

public sealed class SandboxModeTests
{
    [Fact]
    public async Task In_sandbox_mode_every_page_shows_the_badge_and_the_clients_talk_to_the_local_sandbox()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Sandbox:Enabled"] = "true" });
        using var client = app.CreateClient();

        var login = await client.GetStringAsync("/Account/Login", TestContext.Current.CancellationToken);

        Assert.Contains("ih-sandbox-badge", login);
        var sandbox = app.Services.GetRequiredService<SandboxMode>();
        var kolbo = app.Services.GetRequiredService<IOptions<KolboOptions>>().Value;
        Assert.Equal(sandbox.Server.BaseUrls.Kolbo, kolbo.BaseUrl);
        Assert.Equal("127.0.0.1", kolbo.BaseUrl.Host);
        Assert.True(app.Services.GetRequiredService<IOptions<ProvidersOptions>>().Value.AllowPrivateNetworks);
    }

    [Fact]
    public async Task Outside_sandbox_mode_the_live_provider_urls_apply_and_no_badge_shows()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);
        using var client = app.CreateClient();

        var login = await client.GetStringAsync("/Account/Login", TestContext.Current.CancellationToken);

        Assert.DoesNotContain("ih-sandbox-badge", login);
        Assert.Equal(new Uri("https://api.kolbo.ai/api/"), app.Services.GetRequiredService<IOptions<KolboOptions>>().Value.BaseUrl);
        Assert.False(app.Services.GetRequiredService<IOptions<ProvidersOptions>>().Value.AllowPrivateNetworks);
        Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<SandboxMode>().Server);
    }
}
