using ImageHub.Providers.Images;
using ImageHub.Providers.Koala;
using ImageHub.Providers.Tests.Support;
using ImageHub.Sandbox;
using static ImageHub.Providers.Tests.Support.TestData;

namespace ImageHub.Providers.Tests.Contract;

public sealed class KoalaContractTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private KoalaClient Koala => fixture.Get<KoalaClient>();

    [Fact]
    public async Task Koala_generation_sends_the_bearer_key_and_every_option_under_koalas_own_names()
    {
        var key = NewKey();
        var request = new GenerationRequest("a red fox in snow", "standard", 2, Options(("style", "watercolor"), ("size", "1536x640")));

        var result = await Koala.SubmitAsync(request, new ProviderCredential(key), Ct);

        var sent = Assert.Single(fixture.RequestsOf(ProviderIds.Koala, key));
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/koala/api/image-generation/", sent.PathAndQuery);
        Assert.Equal($"Bearer {key}", sent.Headers["Authorization"]);
        var body = sent.Json();
        Assert.Equal("a red fox in snow", body.GetProperty("prompt").GetString());
        Assert.Equal("watercolor", body.GetProperty("style").GetString());
        Assert.Equal("1536x640", body.GetProperty("size").GetString());
        Assert.Equal(2, body.GetProperty("numImages").GetInt32());
        Assert.Equal("standard", body.GetProperty("model").GetString());
        Assert.Equal(GenerationState.Succeeded, result.State);
        Assert.Equal(2, result.Images.Count);
        Assert.All(result.Images, i => Assert.Equal((1536, 640), (i.Width, i.Height)));
        Assert.Equal(2m, result.Credits);
        Assert.Equal(2m, fixture.State.Account(ProviderIds.Koala, key).CreditsCharged);
    }

    [Fact]
    public async Task Koala_gpt_image_2_sends_its_quality_and_costs_what_that_quality_costs()
    {
        var key = NewKey();
        var request = new GenerationRequest("a lighthouse", "gpt-image-2", 1, Options(("quality", "high")));

        var result = await Koala.SubmitAsync(request, new ProviderCredential(key), Ct);

        var body = Assert.Single(fixture.RequestsOf(ProviderIds.Koala, key)).Json();
        Assert.Equal("high", body.GetProperty("quality").GetString());
        Assert.Equal(20m, result.Credits);
        Assert.Equal(20m, fixture.State.Account(ProviderIds.Koala, key).CreditsCharged);
    }

    [Fact]
    public async Task Koala_without_a_model_sends_the_configured_default_so_the_price_is_known()
    {
        var key = NewKey();

        var result = await Koala.SubmitAsync(new GenerationRequest("a cat"), new ProviderCredential(key), Ct);

        var body = Assert.Single(fixture.RequestsOf(ProviderIds.Koala, key)).Json();
        Assert.Equal("standard", body.GetProperty("model").GetString());
        Assert.Equal(1, body.GetProperty("numImages").GetInt32());
        Assert.False(body.TryGetProperty("style", out _));
        Assert.Equal(1m, result.Credits);
    }

    [Fact]
    public async Task Koala_premium_without_plan_is_a_clear_403_message()
    {
        var key = NewKey("noplan");

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            Koala.SubmitAsync(new GenerationRequest("a castle", "premium"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.Forbidden, error.Kind);
        Assert.Equal(403, error.Error.HttpStatus);
        Assert.Contains("Professional plan", error.Message);
        Assert.DoesNotContain(key, error.ToString());
        Assert.Equal(0m, fixture.State.Account(ProviderIds.Koala, key).CreditsCharged);
    }

    [Fact]
    public async Task Koala_refusing_the_key_says_so_and_never_shows_the_key()
    {
        var key = NewKey("bad");

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            Koala.SubmitAsync(new GenerationRequest("a cat"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.Unauthorized, error.Kind);
        Assert.Equal("Koala refused the key (401). Check the key in Keys.", error.Message);
        Assert.DoesNotContain(key, error.ToString());
        Assert.DoesNotContain(key, error.Error.ToString());
    }

    [Fact]
    public async Task Koala_out_of_credits_is_InsufficientCredits_and_nothing_is_charged()
    {
        var key = NewKey();
        fixture.State.SetBalance(ProviderIds.Koala, key, 0);

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            Koala.SubmitAsync(new GenerationRequest("a cat"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.InsufficientCredits, error.Kind);
        Assert.Equal(402, error.Error.HttpStatus);
        Assert.Contains("out of credits", error.Message);
        Assert.Equal(0, fixture.State.Account(ProviderIds.Koala, key).AcceptedSubmissions);
    }

    [Fact]
    public async Task Koala_image_url_is_fetched_as_a_png_of_the_requested_size()
    {
        var key = NewKey();
        var submitted = await Koala.SubmitAsync(new GenerationRequest("a fox", Options: Options(("size", "1152x896"))), new ProviderCredential(key), Ct);

        var image = await fixture.Get<IImageFetcher>().FetchAsync(new Uri(submitted.Images[0].Url), Ct);

        Assert.Equal("image/png", image.ContentType);
        Assert.Equal((1152, 896), (image.Width, image.Height));
    }

    [Fact]
    public async Task Koala_poll_returns_the_submitted_urls_without_asking_koala_again()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        var submitted = await Koala.SubmitAsync(new GenerationRequest("a fox", NumImages: 3), credential, Ct);
        var stored = ProviderHandle.Deserialize(submitted.Handle.Serialize());

        var polled = await Koala.PollAsync(stored, credential, Ct);

        Assert.Equal(GenerationState.Succeeded, polled.State);
        Assert.Equal(submitted.Images.Select(i => i.Url), polled.Images.Select(i => i.Url));
        Assert.Equal(3m, polled.Credits);
        Assert.Single(fixture.RequestsOf(ProviderIds.Koala, key));
    }

    [Fact]
    public async Task Koala_failed_image_surfaces_when_its_url_is_fetched()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Koala, key, new SandboxFault(SandboxFaultKind.TaskFails));
        var submitted = await Koala.SubmitAsync(new GenerationRequest("a fox"), new ProviderCredential(key), Ct);

        var error = await Assert.ThrowsAsync<ImageFetchException>(() =>
            fixture.Get<IImageFetcher>().FetchAsync(new Uri(submitted.Images[0].Url), Ct));

        Assert.Equal(ImageFetchFailure.HttpError, error.Reason);
        Assert.Equal(500, error.HttpStatus);
    }

    [Fact]
    public async Task Koala_key_check_says_koala_has_none_and_sends_nothing()
    {
        var key = NewKey();

        var result = await Koala.CheckKeyAsync(new ProviderCredential(key), Ct);

        Assert.Equal(KeyCheckStatus.Unchecked, result.Status);
        Assert.Contains("no read-only endpoint", result.Message);
        Assert.Empty(fixture.RequestsOf(ProviderIds.Koala, key));
    }

    [Fact]
    public async Task Koala_bad_style_size_count_and_unknown_option_are_all_reported_before_anything_is_sent()
    {
        var key = NewKey();
        var request = new GenerationRequest("a fox", "standard", 7, Options(("style", "cubist"), ("size", "999x999"), ("seed", 3)));

        var error = await Assert.ThrowsAsync<ProviderException>(() => Koala.SubmitAsync(request, new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.Equal(["numImages", "options.style", "options.size", "options.seed"], error.FieldErrors.Select(f => f.Field));
        Assert.Contains(error.FieldErrors, f => f.Message == "Koala numImages must be between 1 and 4 (got 7).");
        Assert.Contains(error.FieldErrors, f => f.Message.StartsWith("Koala style must be one of photo, illustration, watercolor", StringComparison.Ordinal));
        Assert.Contains(error.FieldErrors, f => f.Message == "Koala size must be one of 1024x1024, 1152x896, 1216x832, 1344x768, 1536x640, 640x1536, 768x1344, 832x1216, 896x1152 (got \"999x999\").");
        Assert.Contains(error.FieldErrors, f => f.Message == "Koala has no option \"seed\". Its options are: style, size, quality.");
        Assert.Empty(fixture.RequestsOf(ProviderIds.Koala, key));
    }
}
