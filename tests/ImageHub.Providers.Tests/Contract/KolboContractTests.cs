using Microsoft.Extensions.DependencyInjection;
using ImageHub.Providers.Kolbo;
using ImageHub.Providers.Tests.Support;
using ImageHub.Sandbox;
using static ImageHub.Providers.Tests.Support.TestData;

namespace ImageHub.Providers.Tests.Contract;

public sealed class KolboContractTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private KolboClient Kolbo => fixture.Get<KolboClient>();

    private IReadOnlyList<RecordedRequest> Generations(string key) =>
        fixture.RequestsOf(ProviderIds.Kolbo, key).Where(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/generate/image", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Kolbo_generation_sends_every_field_under_kolbos_names_and_polls_through_progress_to_completion()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        var request = new GenerationRequest("a sneaker on white", "nano-banana-2", 2, Options(
            ("aspect_ratio", "16:9"), ("enhance_prompt", false), ("reference_images", new[] { "https://example.com/ref.jpg" }),
            ("visual_dna_ids", new[] { "vdna_mila", "vdna_rex" }), ("moodboard_id", "6601a1b2c3d4e5f6a7b8c9d0")));

        var submitted = await Kolbo.SubmitAsync(request, credential, Ct);
        var (final, seen) = await PollToEndAsync(Kolbo, ProviderHandle.Deserialize(submitted.Handle.Serialize()), credential);

        var sent = Assert.Single(Generations(key));
        Assert.Equal("/kolbo/api/v1/generate/image", sent.PathAndQuery);
        Assert.Equal(key, sent.Headers["X-API-Key"]);
        var body = sent.Json();
        Assert.Equal("a sneaker on white", body.GetProperty("prompt").GetString());
        Assert.Equal("nano-banana-2", body.GetProperty("model").GetString());
        Assert.Equal("16:9", body.GetProperty("aspect_ratio").GetString());
        Assert.False(body.GetProperty("enhance_prompt").GetBoolean());
        Assert.Equal(2, body.GetProperty("num_images").GetInt32());
        Assert.Equal("https://example.com/ref.jpg", body.GetProperty("reference_images")[0].GetString());
        Assert.Equal(["vdna_mila", "vdna_rex"], body.GetProperty("visual_dna_ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("6601a1b2c3d4e5f6a7b8c9d0", body.GetProperty("moodboard_id").GetString());

        Assert.Equal(GenerationState.Pending, submitted.State);
        Assert.Equal(16m, submitted.Credits);
        Assert.Contains(seen, s => s.State == GenerationState.Running && s.Progress is > 0 and < 100);
        Assert.Equal(seen.Select(s => s.Progress ?? 0).Order(), seen.Select(s => s.Progress ?? 0));
        Assert.Equal(GenerationState.Succeeded, final.State);
        Assert.Equal(100, final.Progress);
        Assert.Equal(2, final.Images.Count);
        Assert.Equal(16m, final.Credits);
    }

    [Fact]
    public async Task Kolbo_offers_and_accepts_every_model_the_server_lists_for_images_whatever_their_types_say()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        await using var services = ProviderServices.Build(fixture.Sandbox); // its own model cache: the list is fetched here
        var kolbo = services.GetRequiredService<KolboClient>();

        var capabilities = await kolbo.GetCapabilitiesAsync(credential, Ct);
        var submitted = await kolbo.SubmitAsync(new GenerationRequest("a poster", "ideogram-v3"), credential, Ct);

        var list = Assert.Single(fixture.RequestsOf(ProviderIds.Kolbo, key), r => r.Method == "GET");
        Assert.Equal("/kolbo/api/v1/models?type=image", list.PathAndQuery);
        Assert.Equal(["nano-banana-2", "nano-banana-pro", "nano-banana-2/4k", "flux-2-pro", "ideogram-v3"], capabilities.Models.Select(m => m.Id));
        Assert.True(capabilities.ModelsAreComplete);
        Assert.Equal("ideogram-v3", submitted.Handle.Model);
    }

    [Fact]
    public async Task Kolbo_smart_select_leaves_the_model_out()
    {
        var key = NewKey();

        var submitted = await Kolbo.SubmitAsync(new GenerationRequest("a city at night"), new ProviderCredential(key), Ct);

        var body = Assert.Single(Generations(key)).Json();
        Assert.False(body.TryGetProperty("model", out _));
        Assert.Equal("auto", submitted.Handle.Model);
        Assert.DoesNotContain(fixture.RequestsOf(ProviderIds.Kolbo, key), r => r.PathAndQuery.Contains("/models"));
    }

    [Fact]
    public async Task Kolbo_seed_form_poll_url_is_joined_to_the_base_that_ends_in_api()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);

        var submitted = await Kolbo.SubmitAsync(new GenerationRequest("a city"), credential, Ct);
        await Kolbo.PollAsync(submitted.Handle, credential, Ct);

        var expected = $"/kolbo/api/v1/generate/{submitted.Handle.Id}/status";
        Assert.Equal(new Uri(fixture.Sandbox.RootUri, expected).AbsoluteUri, submitted.Handle.PollUrl);
        Assert.Equal(expected, fixture.RequestsOf(ProviderIds.Kolbo, key).Last().PathAndQuery);
    }

    [Fact]
    public async Task Kolbo_api_rooted_poll_url_reaches_the_same_status_endpoint()
    {
        var key = NewKey("apipath");
        var credential = new ProviderCredential(key);

        var submitted = await Kolbo.SubmitAsync(new GenerationRequest("a city"), credential, Ct);
        var (final, _) = await PollToEndAsync(Kolbo, submitted.Handle, credential);

        Assert.Equal(new Uri(fixture.Sandbox.RootUri, $"/kolbo/api/v1/generate/{submitted.Handle.Id}/status").AbsoluteUri, submitted.Handle.PollUrl);
        Assert.Equal(GenerationState.Succeeded, final.State);
    }

    [Fact]
    public async Task Kolbo_failed_generation_reports_the_reason_and_zero_credits_because_kolbo_refunds()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        fixture.State.EnqueueFault(ProviderIds.Kolbo, key, new SandboxFault(SandboxFaultKind.TaskFails));

        var submitted = await Kolbo.SubmitAsync(new GenerationRequest("a city", "flux-2-pro"), credential, Ct);
        var (final, _) = await PollToEndAsync(Kolbo, submitted.Handle, credential);

        Assert.Equal(6m, submitted.Credits);
        Assert.Equal(GenerationState.Failed, final.State);
        Assert.Equal(0m, final.Credits);
        Assert.StartsWith("Kolbo could not generate the image: Generation failed", final.Error!.UserMessage);
        var account = fixture.State.Account(ProviderIds.Kolbo, key);
        Assert.Equal(account.CreditsCharged, account.CreditsRefunded);
    }

    [Fact]
    public async Task Kolbo_cancel_stops_a_running_generation_and_nets_zero_credits()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        var submitted = await Kolbo.SubmitAsync(new GenerationRequest("a city"), credential, Ct);

        var cancelled = await Kolbo.CancelAsync(submitted.Handle, credential, Ct);

        Assert.Equal(GenerationState.Cancelled, cancelled.State);
        Assert.Equal(0m, cancelled.Credits);
        Assert.Contains(fixture.RequestsOf(ProviderIds.Kolbo, key), r => r.Method == "POST" && r.PathAndQuery == $"/kolbo/api/v1/generate/{submitted.Handle.Id}/cancel");
        Assert.Equal(GenerationState.Cancelled, (await Kolbo.PollAsync(submitted.Handle, credential, Ct)).State);
    }

    [Fact]
    public async Task Kolbo_insufficient_credits_is_recognised_by_its_code_although_the_status_is_400()
    {
        var key = NewKey();
        fixture.State.SetBalance(ProviderIds.Kolbo, key, 1);

        var error = await Assert.ThrowsAsync<ProviderException>(() => Kolbo.SubmitAsync(new GenerationRequest("a city"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.InsufficientCredits, error.Kind);
        Assert.Equal(400, error.Error.HttpStatus);
        Assert.Equal("INSUFFICIENT_CREDITS", error.Error.ProviderCode);
    }

    [Fact]
    public async Task Kolbo_429_body_with_status_false_and_a_message_is_read_and_its_retry_after_kept()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Kolbo, key, new SandboxFault(SandboxFaultKind.RateLimited, RetryAfterSeconds: 90, OnlyPath: "generate"));

        var error = await Assert.ThrowsAsync<ProviderException>(() => Kolbo.SubmitAsync(new GenerationRequest("a city"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(90), error.RetryAfter);
        Assert.Equal("Too many requests, please try again in 90 seconds.", error.Error.ProviderMessage);
        Assert.Single(Generations(key));
    }

    [Fact]
    public async Task Kolbo_poll_that_hangs_times_out_and_is_retried()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        var submitted = await Kolbo.SubmitAsync(new GenerationRequest("a city"), credential, Ct);
        fixture.State.EnqueueFault(ProviderIds.Kolbo, key, new SandboxFault(SandboxFaultKind.Hang, OnlyPath: "status"));

        var polled = await Kolbo.PollAsync(submitted.Handle, credential, Ct);

        Assert.Equal(GenerationState.Running, polled.State);
        Assert.Equal(2, fixture.RequestsOf(ProviderIds.Kolbo, key).Count(r => r.PathAndQuery.EndsWith("/status", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Kolbo_submission_that_hangs_times_out_once_and_says_it_may_have_been_accepted()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Kolbo, key, new SandboxFault(SandboxFaultKind.Hang, OnlyPath: "generate"));

        var error = await Assert.ThrowsAsync<ProviderException>(() => Kolbo.SubmitAsync(new GenerationRequest("a city"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.Timeout, error.Kind);
        Assert.True(error.MayHaveBeenAccepted);
        Assert.Contains("may have been accepted", error.Message);
        Assert.Single(Generations(key));
    }

    [Fact]
    public async Task Kolbo_models_moodboards_visual_dna_and_credits_are_readable()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        fixture.State.SetBalance(ProviderIds.Kolbo, key, 250);
        // Its own services: the model list is cached per base URL, and this test asserts the request for it.
        await using var services = ProviderServices.Build(fixture.Sandbox);
        var kolbo = services.GetRequiredService<KolboClient>();

        var models = await kolbo.ListModelsAsync(credential, Ct);
        var moodboards = await kolbo.ListMoodboardsAsync(credential, Ct);
        var dna = await kolbo.ListVisualDnaAsync(credential, Ct);
        var check = await kolbo.CheckKeyAsync(credential, Ct);

        Assert.Contains(models, m => m.Identifier == "nano-banana-2" && m.CreditsPerImage == 8 && m.Recommended == true);
        Assert.DoesNotContain(models, m => m.Identifier == "kling-2.5-turbo");  // a video model
        Assert.Contains(moodboards, m => m.Id == "6601a1b2c3d4e5f6a7b8c9d0" && m.Name == "Nordic minimal");
        Assert.Contains(dna, d => d.Id == "vdna_mila" && d.Name == "Mila");
        Assert.Equal(KeyCheckStatus.Valid, check.Status);
        Assert.Equal(250m, check.Balance);
        Assert.Contains(fixture.RequestsOf(ProviderIds.Kolbo, key), r => r.PathAndQuery == "/kolbo/api/v1/models?type=image");
    }

    [Fact]
    public async Task Kolbo_model_specific_limits_are_checked_against_the_fetched_list_before_sending()
    {
        var key = NewKey();
        var capabilities = await Kolbo.GetCapabilitiesAsync(new ProviderCredential(key), Ct);

        var errors = Kolbo.Validate(new GenerationRequest("a city", "ideogram-v3", 5, Options(
            ("aspect_ratio", "5:4"), ("reference_images", new[] { "https://example.com/a.png" }),
            ("visual_dna_ids", new[] { "a", "b", "c", "d" }), ("enhance_prompt", "yes"))), capabilities);
        var unknown = Kolbo.Validate(new GenerationRequest("a city", "midjourney-7"), capabilities);

        Assert.Equal(
        [
            new FieldError("numImages", "Kolbo numImages must be between 1 and 4 (got 5)."),
            new FieldError("options.aspect_ratio", "Kolbo aspect_ratio for model ideogram-v3 must be one of 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3, 21:9 (got \"5:4\")."),
            new FieldError("options.reference_images", "Kolbo model ideogram-v3 does not take reference_images."),
            new FieldError("options.visual_dna_ids", "Kolbo visual_dna_ids can hold at most 3 item(s) (got 4)."),
            new FieldError("options.enhance_prompt", "Kolbo enhance_prompt must be true or false."),
        ], errors);
        Assert.StartsWith("Kolbo model must be one of nano-banana-2, nano-banana-pro", Assert.Single(unknown).Message);
    }
}
