using System.Net;
using ImageHub.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ImageHub.Providers.Tests.Sandbox.SandboxTestKit;

namespace ImageHub.Providers.Tests.Sandbox;

public sealed class SandboxHostingTests
{
    [Fact]
    public void Base_urls_hang_each_provider_from_the_root_as_the_clients_expect()
    {
        var urls = SandboxBaseUrls.For(new Uri("http://127.0.0.1:5080/sandbox"));

        Assert.Equal("http://127.0.0.1:5080/sandbox/koala/", urls.Koala.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5080/sandbox/qolaba/", urls.Qolaba.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5080/sandbox/coals/api/v1/graphicoal/", urls.Coals.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5080/sandbox/kolbo/api/", urls.Kolbo.AbsoluteUri);
    }

    [Fact]
    public async Task Sandbox_server_listens_on_loopback_with_a_free_port()
    {
        await using var sandbox = await StartAsync();

        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(sandbox.RootUri.Host)));
        Assert.NotEqual(0, sandbox.RootUri.Port);
        Assert.EndsWith("/", sandbox.RootUri.AbsoluteUri);
    }

    [Fact]
    public async Task Mounted_under_a_prefix_the_image_urls_and_poll_urls_carry_the_prefix()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddImageHubSandbox(o => (o.KoalaReadyDelay, o.KolboStepDelay) = (TimeSpan.Zero, TimeSpan.Zero));
        await using var app = builder.Build();
        app.MapImageHubSandbox("/sandbox");
        await app.StartAsync(Ct);
        var root = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/sandbox/");
        var urls = SandboxBaseUrls.For(root);
        using var koala = Plain(urls.Koala);
        koala.DefaultRequestHeaders.Authorization = new("Bearer", "k");
        using var kolbo = Plain(urls.Kolbo);
        kolbo.DefaultRequestHeaders.Add("X-API-Key", "kolbo_test_apipath");

        var (_, images) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat"}""");
        var imageUrl = images[0].GetProperty("url").GetString()!;
        var png = await koala.GetPngAsync(imageUrl);
        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat"}""");
        var pollUrl = started.GetProperty("poll_url").GetString()!;
        var (polled, status) = await kolbo.GetJsonAsync(new Uri(root, pollUrl).AbsoluteUri);
        var kolboImage = status.GetProperty("result").GetProperty("urls")[0].GetString()!;
        using var control = Plain(root);
        var (account, _) = await control.GetJsonAsync("_control/accounts/koala/k");
        await app.StopAsync(Ct);

        Assert.StartsWith(root.AbsoluteUri + "koala/images/", imageUrl);
        Assert.Equal(1024, png.Width);
        Assert.StartsWith("/sandbox/kolbo/api/v1/generate/", pollUrl);
        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
        Assert.StartsWith(root.AbsoluteUri + "kolbo/", kolboImage);
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
    }
}
