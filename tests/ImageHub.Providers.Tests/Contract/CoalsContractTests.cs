using ImageHub.Providers.Coals;
using ImageHub.Providers.Resilience;
using ImageHub.Providers.Tests.Support;
using ImageHub.Sandbox;
using static ImageHub.Providers.Tests.Support.TestData;

namespace ImageHub.Providers.Tests.Contract;

public sealed class CoalsContractTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private CoalsClient Coals => fixture.Get<CoalsClient>();

    private IReadOnlyList<RecordedRequest> Generations(string key) =>
        fixture.RequestsOf(ProviderIds.Coals, key).Where(r => r.Method == "POST").ToList();

    [Fact]
    public async Task Coals_one_image_comes_back_as_one_object_with_its_size_and_credits()
    {
        var key = NewKey();

        var result = await Coals.SubmitAsync(new GenerationRequest("a red fox", NumImages: 1, Options: Options(("width", 768), ("height", 512))), new ProviderCredential(key), Ct);

        var sent = Assert.Single(Generations(key));
        Assert.Equal("/coals/api/v1/graphicoal/generate", sent.PathAndQuery);
        Assert.Equal($"Bearer {key}", sent.Headers["Authorization"]);
        var body = sent.Json();
        Assert.Equal("a red fox", body.GetProperty("prompt").GetString());
        Assert.Equal(768, body.GetProperty("width").GetInt32());
        Assert.Equal(512, body.GetProperty("height").GetInt32());
        Assert.Equal(1, body.GetProperty("num_images").GetInt32());
        Assert.False(body.TryGetProperty("model", out _));
        var image = Assert.Single(result.Images);
        Assert.Equal((768, 512), (image.Width, image.Height));
        Assert.EndsWith(".webp", image.Url);
        Assert.Equal(2m, result.Credits);
        Assert.Equal(0.02m, result.CostUsd);
    }

    [Fact]
    public async Task Coals_several_images_come_back_as_an_array_and_their_credits_are_summed()
    {
        var key = NewKey();

        var result = await Coals.SubmitAsync(new GenerationRequest("a red fox", NumImages: 3), new ProviderCredential(key), Ct);

        Assert.Equal(3, result.Images.Count);
        Assert.Equal(3, result.Images.Select(i => i.Url).Distinct().Count());
        Assert.Equal(fixture.State.Account(ProviderIds.Coals, key).CreditsCharged, result.Credits);
        Assert.Equal(GenerationState.Succeeded, (await Coals.PollAsync(result.Handle, new ProviderCredential(key), Ct)).State);
    }

    [Fact]
    public async Task Coals_key_without_the_generate_scope_is_a_clear_403_message()
    {
        var key = NewKey("noscope");

        var error = await Assert.ThrowsAsync<ProviderException>(() => Coals.SubmitAsync(new GenerationRequest("a fox"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.Forbidden, error.Kind);
        Assert.Equal("INSUFFICIENT_SCOPE", error.Error.ProviderCode);
        Assert.Contains("graphicoal:generate", error.Message);
    }

    [Fact]
    public async Task Coals_quota_is_the_key_check_and_reports_the_balance()
    {
        var key = NewKey();
        fixture.State.SetBalance(ProviderIds.Coals, key, 123);

        var result = await Coals.CheckKeyAsync(new ProviderCredential(key), Ct);

        Assert.Equal(KeyCheckStatus.Valid, result.Status);
        Assert.Equal(123m, result.Balance);
        Assert.Equal("/coals/api/v1/graphicoal/quota", Assert.Single(fixture.RequestsOf(ProviderIds.Coals, key)).PathAndQuery);
    }

    [Fact]
    public async Task Coals_refused_key_check_is_Invalid_with_the_flat_error_message()
    {
        var result = await Coals.CheckKeyAsync(new ProviderCredential(NewKey("bad")), Ct);

        Assert.Equal(KeyCheckStatus.Invalid, result.Status);
        Assert.Equal("Coals refused the key (401). Check the key in Keys.", result.Message);
        Assert.Equal("Invalid API key.", result.Error!.ProviderMessage);
    }

    [Fact]
    public async Task Coals_429_is_waited_out_for_its_retry_after_and_sent_once_more()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Coals, key, new SandboxFault(SandboxFaultKind.RateLimited, RetryAfterSeconds: 1, OnlyPath: "generate"));

        var result = await Coals.SubmitAsync(new GenerationRequest("a fox"), new ProviderCredential(key), Ct);

        Assert.Single(result.Images);
        Assert.Equal(2, Generations(key).Count);
        Assert.Equal(1, fixture.State.Account(ProviderIds.Coals, key).AcceptedSubmissions);
    }

    [Fact]
    public async Task Coals_429_beyond_the_wait_cap_surfaces_as_RateLimited_with_its_retry_after()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Coals, key, new SandboxFault(SandboxFaultKind.RateLimited, RetryAfterSeconds: 120, OnlyPath: "generate"));

        var error = await Assert.ThrowsAsync<ProviderException>(() => Coals.SubmitAsync(new GenerationRequest("a fox"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal("RATE_LIMIT_EXCEEDED", error.Error.ProviderCode);
        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.Equal("Coals is rate limiting requests (429). Try again in 120 s.", error.Message);
        Assert.Single(Generations(key));
    }

    [Fact]
    public async Task Coals_generation_dropped_after_acceptance_is_not_resent_and_says_it_may_have_been_accepted()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Coals, key, new SandboxFault(SandboxFaultKind.DropAfterAccept, OnlyPath: "generate"));

        var error = await Assert.ThrowsAsync<ProviderException>(() => Coals.SubmitAsync(new GenerationRequest("a fox"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.Network, error.Kind);
        Assert.True(error.MayHaveBeenAccepted);
        Assert.Contains("may have been accepted", error.Message);
        Assert.Single(Generations(key));
        Assert.Equal(1, fixture.State.Account(ProviderIds.Coals, key).AcceptedSubmissions);
    }

    [Fact]
    public async Task Coals_failed_generation_is_a_provider_failure_with_its_code_and_costs_nothing()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Coals, key, new SandboxFault(SandboxFaultKind.TaskFails));

        var error = await Assert.ThrowsAsync<ProviderException>(() => Coals.SubmitAsync(new GenerationRequest("a fox"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.ProviderFailure, error.Kind);
        Assert.Equal("GENERATION_FAILED", error.Error.ProviderCode);
        Assert.False(error.MayHaveBeenAccepted);
        Assert.Single(Generations(key));
        Assert.Equal(0m, fixture.State.Account(ProviderIds.Coals, key).CreditsCharged);
    }

    [Fact]
    public async Task Coals_width_height_and_prompt_out_of_range_name_the_allowed_range()
    {
        var capabilities = await Coals.GetCapabilitiesAsync(cancellationToken: Ct);

        var errors = Coals.Validate(new GenerationRequest(new string('a', 2001), "sdxl", 5, Options(("width", 100), ("height", 4096), ("style", "anime"))), capabilities);

        Assert.Equal(
        [
            new FieldError("prompt", "Coals prompts can be at most 2,000 characters; this one has 2,001."),
            new FieldError("model", "Coals model must be one of flux (got \"sdxl\")."),
            new FieldError("numImages", "Coals numImages must be between 1 and 4 (got 5)."),
            new FieldError("options.width", "Coals width must be between 256 and 2048 (got 100)."),
            new FieldError("options.height", "Coals height must be between 256 and 2048 (got 4096)."),
            new FieldError("options.style", "Coals has no option \"style\". Its options are: width, height."),
        ], errors);
    }

    [Fact]
    public void Coals_422_validation_details_become_one_field_error_per_message()
    {
        var descriptor = new ProviderDescriptor(new ProviderProfile(ProviderIds.Coals, "Coals", CanCheckKeys: true, "", UsdPerCredit: null), "");
        var body = """{"success":false,"error":{"code":"VALIDATION_ERROR","message":"The given data was invalid.","details":{"width":["The width must be at least 256."],"num_images":["Too many."]}}}""";
        var reply = new ProviderReply(422, new HttpResponseMessage().Headers, body, new Uri("http://x/"), null);

        var error = ProviderErrors.FromReply(descriptor, reply, new ProviderCredential("secret-key-123456"), isSubmission: true,
            wire => wire == "num_images" ? "numImages" : "options." + wire);

        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("VALIDATION_ERROR", error.ProviderCode);
        Assert.Equal("Coals rejected the request (422): The given data was invalid.", error.UserMessage);
        Assert.Equal([new FieldError("options.width", "Coals: The width must be at least 256."), new FieldError("numImages", "Coals: Too many.")], error.FieldErrors);
        Assert.False(error.MayHaveBeenAccepted);
    }
}
