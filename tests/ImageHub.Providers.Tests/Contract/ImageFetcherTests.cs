using ImageHub.Providers.Images;
using ImageHub.Providers.Koala;
using ImageHub.Providers.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Providers.Tests.Support.TestData;

namespace ImageHub.Providers.Tests.Contract;

public sealed class ImageFetcherTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private async Task<Uri> KoalaImageUrlAsync(string size = "1024x1024")
    {
        var submitted = await fixture.Get<KoalaClient>().SubmitAsync(
            new GenerationRequest("a fox", Options: Options(("size", size))), new ProviderCredential(NewKey()), Ct);
        return new Uri(submitted.Images[0].Url);
    }

    private ServiceProvider Strict(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { ["Providers:AllowPrivateNetworks"] = "false" };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>()) settings[k] = v;
        return ProviderServices.Build(fixture.Sandbox, settings);
    }

    [Fact]
    public async Task Loopback_image_url_is_refused_before_connecting_when_private_networks_are_not_allowed()
    {
        var url = await KoalaImageUrlAsync();
        await using var services = Strict();
        var before = fixture.State.Requests.Count(r => r.PathAndQuery.Contains(url.AbsolutePath));

        var error = await Assert.ThrowsAsync<ImageFetchException>(() => services.GetRequiredService<IImageFetcher>().FetchAsync(url, Ct));

        Assert.Equal(ImageFetchFailure.UrlRefused, error.Reason);
        Assert.Contains("private, loopback or link-local", error.Message);
        Assert.Equal(before, fixture.State.Requests.Count(r => r.PathAndQuery.Contains(url.AbsolutePath)));
    }

    [Fact]
    public async Task A_host_name_that_resolves_to_loopback_is_refused_too()
    {
        var url = await KoalaImageUrlAsync();
        var byName = new UriBuilder(url) { Host = "localhost" }.Uri;
        await using var services = Strict();

        var error = await Assert.ThrowsAsync<ImageFetchException>(() => services.GetRequiredService<IImageFetcher>().FetchAsync(byName, Ct));

        Assert.Equal(ImageFetchFailure.UrlRefused, error.Reason);
    }

    [Theory]
    [InlineData("http://10.1.2.3/image.png")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/image.png")]
    [InlineData("http://192.168.0.10:8080/image.png")]
    [InlineData("http://172.20.0.5/image.png")]
    [InlineData("http://[fe80::1]/image.png")]
    [InlineData("http://[fd00::5]/image.png")]
    [InlineData("http://[::ffff:127.0.0.1]/image.png")]
    public async Task Private_link_local_and_loopback_addresses_are_refused(string url)
    {
        await using var services = Strict();

        var error = await Assert.ThrowsAsync<ImageFetchException>(() => services.GetRequiredService<IImageFetcher>().FetchAsync(new Uri(url), Ct));

        Assert.Equal(ImageFetchFailure.UrlRefused, error.Reason);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/image.png")]
    [InlineData("gopher://example.com/image.png")]
    public async Task Schemes_other_than_http_and_https_are_refused(string url)
    {
        var error = await Assert.ThrowsAsync<ImageFetchException>(() => fixture.Get<IImageFetcher>().FetchAsync(new Uri(url), Ct));

        Assert.Equal(ImageFetchFailure.UrlRefused, error.Reason);
        Assert.StartsWith("ImageHub only fetches images over http or https", error.Message);
    }

    [Fact]
    public async Task Loopback_is_allowed_when_private_networks_are_allowed_and_the_png_size_is_read()
    {
        var url = await KoalaImageUrlAsync("832x1216");

        var image = await fixture.Get<IImageFetcher>().FetchAsync(url, Ct);

        Assert.Equal("image/png", image.ContentType);
        Assert.Equal((832, 1216), (image.Width, image.Height));
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], image.Bytes[..4]);
    }

    [Fact]
    public async Task An_image_larger_than_the_cap_is_refused()
    {
        var url = await KoalaImageUrlAsync();
        await using var services = ProviderServices.Build(fixture.Sandbox, new Dictionary<string, string?> { ["Providers:ImageFetch:MaxBytes"] = "64" });

        var error = await Assert.ThrowsAsync<ImageFetchException>(() => services.GetRequiredService<IImageFetcher>().FetchAsync(url, Ct));

        Assert.Equal(ImageFetchFailure.TooLarge, error.Reason);
    }

    [Fact]
    public async Task A_reply_that_is_not_an_image_is_refused_by_its_bytes()
    {
        var json = new Uri(fixture.Sandbox.RootUri, $"_control/accounts/koala/{NewKey()}");

        var error = await Assert.ThrowsAsync<ImageFetchException>(() => fixture.Get<IImageFetcher>().FetchAsync(json, Ct));

        Assert.Equal(ImageFetchFailure.NotAnImage, error.Reason);
        Assert.Contains("not a PNG, JPEG or WebP", error.Message);
    }
}
