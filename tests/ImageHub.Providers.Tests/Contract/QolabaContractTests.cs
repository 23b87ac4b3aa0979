using System.Text.Json;
using ImageHub.Providers.Qolaba;
using ImageHub.Providers.Tests.Support;
using ImageHub.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Providers.Tests.Support.TestData;

namespace ImageHub.Providers.Tests.Contract;

public sealed class QolabaContractTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private QolabaClient Qolaba => fixture.Get<QolabaClient>();

    private static IEnumerable<RecordedRequest> Posts(IEnumerable<RecordedRequest> requests) => requests.Where(r => r.Method == "POST");

    [Fact]
    public async Task Qolaba_sync_generation_sends_every_field_under_qolabas_names_and_reports_its_usage()
    {
        var key = NewKey();
        var options = new Dictionary<string, JsonElement>(Options(
            ("aspect_ratio", "16:9"), ("quality", "2K"), ("temperature", 1.5), ("negative_prompt", "blur"),
            ("num_inference_steps", 30), ("guidance_scale", 7.5), ("image_urls", new[] { "https://example.com/src.png" }),
            ("celery", false)))
        {
            ["reference_images"] = JsonDocument.Parse("""["https://example.com/a.png", {"url": "https://example.com/b.png", "description": "the hat"}]""").RootElement,
        };
        var request = new GenerationRequest("a cat on the Eiffel tower", "vertex/nano-banana-pro", 2, options);

        var result = await Qolaba.SubmitAsync(request, new ProviderCredential(key), Ct);

        var sent = Assert.Single(Posts(fixture.RequestsOf(ProviderIds.Qolaba, key)));
        Assert.Equal("/qolaba/api/v1/images/generate", sent.PathAndQuery);
        Assert.Equal(key, sent.Headers["X-API-Key"]);
        Assert.False(sent.Headers.ContainsKey("Authorization"));
        var body = sent.Json();
        Assert.Equal("vertex/nano-banana-pro", body.GetProperty("model").GetString());
        Assert.Equal("a cat on the Eiffel tower", body.GetProperty("prompt").GetString());
        Assert.Equal("16:9", body.GetProperty("aspect_ratio").GetString());
        Assert.Equal("2K", body.GetProperty("quality").GetString());
        Assert.Equal(2, body.GetProperty("num_images").GetInt32());
        Assert.Equal(1.5m, body.GetProperty("temperature").GetDecimal());
        Assert.Equal("blur", body.GetProperty("negative_prompt").GetString());
        Assert.Equal(30, body.GetProperty("num_inference_steps").GetInt32());
        Assert.Equal(7.5m, body.GetProperty("guidance_scale").GetDecimal());
        Assert.False(body.GetProperty("celery").GetBoolean());
        Assert.Equal("https://example.com/src.png", body.GetProperty("image_urls")[0].GetString());
        var references = body.GetProperty("reference_images");
        Assert.Equal("https://example.com/a.png", references[0].GetProperty("url").GetString());
        Assert.Equal("https://example.com/b.png", references[1].GetProperty("url").GetString());
        Assert.Equal("the hat", references[1].GetProperty("description").GetString());

        Assert.Equal(GenerationState.Succeeded, result.State);
        Assert.Equal(2, result.Images.Count);
        Assert.All(result.Images, i => Assert.Equal("image/png", i.ContentType));
        Assert.Equal(54m, result.Credits);          // 0.135 USD x 2 images / 0.005 USD per credit
        Assert.Equal(0.27m, result.CostUsd);
        Assert.Equal(54m, fixture.State.Account(ProviderIds.Qolaba, key).CreditsCharged);
    }

    [Fact]
    public async Task Qolaba_seed_is_sent_to_a_model_that_supports_seeds()
    {
        var key = NewKey();

        await Qolaba.SubmitAsync(new GenerationRequest("a dog", "vertex/imagen-4", Options: Options(("seed", 12345))), new ProviderCredential(key), Ct);

        Assert.Equal(12345, Assert.Single(Posts(fixture.RequestsOf(ProviderIds.Qolaba, key))).Json().GetProperty("seed").GetInt64());
    }

    [Fact]
    public async Task Qolaba_sends_the_key_as_a_bearer_token_when_configured_so()
    {
        var key = NewKey();
        await using var services = ProviderServices.Build(fixture.Sandbox, new Dictionary<string, string?> { ["Providers:Qolaba:AuthHeader"] = "Bearer" });

        await services.GetRequiredService<QolabaClient>().SubmitAsync(new GenerationRequest("a dog", "vertex/imagen-4-fast"), new ProviderCredential(key), Ct);

        var sent = Assert.Single(Posts(fixture.RequestsOf(ProviderIds.Qolaba, key)));
        Assert.Equal($"Bearer {key}", sent.Headers["Authorization"]);
        Assert.False(sent.Headers.ContainsKey("X-API-Key"));
    }

    [Fact]
    public async Task Qolaba_celery_task_is_polled_through_pending_and_processing_to_success()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);

        var submitted = await Qolaba.SubmitAsync(new GenerationRequest("a dog", "vertex/imagen-4", Options: Options(("celery", true))), credential, Ct);
        var (final, seen) = await PollToEndAsync(Qolaba, ProviderHandle.Deserialize(submitted.Handle.Serialize()), credential);

        Assert.Equal(GenerationState.Pending, submitted.State);
        Assert.NotNull(submitted.Handle.Id);
        Assert.Equal([GenerationState.Pending, GenerationState.Running, GenerationState.Succeeded], seen.Select(s => s.State));
        Assert.Single(final.Images);
        Assert.Equal(8m, final.Credits);            // 0.04 USD / 0.005
        Assert.Equal(0.04m, final.CostUsd);
        var polls = fixture.RequestsOf(ProviderIds.Qolaba, key).Where(r => r.Method == "GET" && r.PathAndQuery.Contains("/tasks/")).ToList();
        Assert.Equal(3, polls.Count);
        Assert.All(polls, p => Assert.Equal($"/qolaba/api/v1/tasks/{submitted.Handle.Id}", p.PathAndQuery));
    }

    [Fact]
    public async Task Qolaba_failed_task_reports_qolabas_reason_and_no_charge()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        fixture.State.EnqueueFault(ProviderIds.Qolaba, key, new SandboxFault(SandboxFaultKind.TaskFails));

        var submitted = await Qolaba.SubmitAsync(new GenerationRequest("a dog", "vertex/imagen-4", Options: Options(("celery", true))), credential, Ct);
        var (final, _) = await PollToEndAsync(Qolaba, submitted.Handle, credential);

        Assert.Equal(GenerationState.Failed, final.State);
        Assert.Equal(0m, final.Credits);
        Assert.Equal(ProviderErrorKind.ProviderFailure, final.Error!.Kind);
        Assert.StartsWith("Qolaba could not generate the image: Generation failed", final.Error.UserMessage);
        Assert.Equal(0m, fixture.State.Account(ProviderIds.Qolaba, key).CreditsCharged);
    }

    [Fact]
    public async Task Qolaba_429_with_retry_after_is_waited_out_and_the_submission_sent_once_more()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Qolaba, key, new SandboxFault(SandboxFaultKind.RateLimited, RetryAfterSeconds: 1, OnlyPath: "generate"));

        var result = await Qolaba.SubmitAsync(new GenerationRequest("a dog", "vertex/imagen-4-fast"), new ProviderCredential(key), Ct);

        Assert.Equal(GenerationState.Succeeded, result.State);
        Assert.Equal(2, Posts(fixture.RequestsOf(ProviderIds.Qolaba, key)).Count());
        Assert.Equal(1, fixture.State.Account(ProviderIds.Qolaba, key).AcceptedSubmissions);
    }

    [Fact]
    public async Task Qolaba_malformed_reply_after_accepting_is_a_provider_failure_that_may_have_been_accepted()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Qolaba, key, new SandboxFault(SandboxFaultKind.MalformedJson, OnlyPath: "generate"));

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            Qolaba.SubmitAsync(new GenerationRequest("a dog", "vertex/imagen-4-fast"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.ProviderFailure, error.Kind);
        Assert.True(error.MayHaveBeenAccepted);
        Assert.Contains("malformed JSON", error.Message);
        Assert.Single(Posts(fixture.RequestsOf(ProviderIds.Qolaba, key)));
    }

    [Fact]
    public async Task Qolaba_server_error_on_a_submission_is_not_retried()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Qolaba, key, new SandboxFault(SandboxFaultKind.ServerError, OnlyPath: "generate"));

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            Qolaba.SubmitAsync(new GenerationRequest("a dog", "vertex/imagen-4-fast"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.ProviderFailure, error.Kind);
        Assert.Equal("Qolaba failed on its side (500): Internal Server Error: Unexpected server-side failure. Try again later.", error.Message);
        Assert.Single(Posts(fixture.RequestsOf(ProviderIds.Qolaba, key)));
    }

    [Fact]
    public async Task Qolaba_task_poll_after_a_server_error_is_retried()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        var submitted = await Qolaba.SubmitAsync(new GenerationRequest("a dog", "vertex/imagen-4", Options: Options(("celery", true))), credential, Ct);
        fixture.State.EnqueueFault(ProviderIds.Qolaba, key, new SandboxFault(SandboxFaultKind.ServerError, OnlyPath: "status"));

        var polled = await Qolaba.PollAsync(submitted.Handle, credential, Ct);

        Assert.Equal(GenerationState.Pending, polled.State);
        Assert.Equal(2, fixture.RequestsOf(ProviderIds.Qolaba, key).Count(r => r.PathAndQuery.Contains("/tasks/")));
    }

    [Fact]
    public async Task Qolaba_unknown_model_and_every_out_of_range_field_are_refused_before_sending()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        var capabilities = await Qolaba.GetCapabilitiesAsync(credential, Ct);

        var unknownModel = Qolaba.Validate(new GenerationRequest("a dog", "vertex/nope"), capabilities);
        var badFields = Qolaba.Validate(new GenerationRequest("a dog", "vertex/imagen-4-ultra", 2, Options(
            ("guidance_scale", 31), ("temperature", 2.5), ("num_inference_steps", 0), ("negative_prompt", new string('x', 2001)),
            ("aspect_ratio", "21:9"), ("quality", "4K"), ("reference_images", new[] { "https://example.com/a.png" }), ("celery", "yes"))), capabilities);
        var noSeed = Qolaba.Validate(new GenerationRequest("a dog", "vertex/nano-banana-flash", Options: Options(("seed", 1))), capabilities);
        var noModel = Qolaba.Validate(new GenerationRequest("a dog"), capabilities);

        Assert.Equal("Qolaba model must be one of vertex/nano-banana-flash, vertex/nano-banana-pro, vertex/imagen-4, vertex/imagen-4-fast, vertex/imagen-4-ultra (got \"vertex/nope\").",
            Assert.Single(unknownModel).Message);
        var messages = badFields.ToDictionary(f => f.Field, f => f.Message);
        Assert.Equal("Qolaba numImages for model vertex/imagen-4-ultra must be between 1 and 1 (got 2).", messages["numImages"]);
        Assert.Equal("Qolaba guidance_scale must be between 0 and 30 (got 31).", messages["options.guidance_scale"]);
        Assert.Equal("Qolaba temperature must be between 0 and 2 (got 2.5).", messages["options.temperature"]);
        Assert.Equal("Qolaba num_inference_steps must be between 1 and 150 (got 0).", messages["options.num_inference_steps"]);
        Assert.Equal("Qolaba negative_prompt can be at most 2,000 characters; this one has 2,001.", messages["options.negative_prompt"]);
        Assert.Equal("Qolaba aspect_ratio for model vertex/imagen-4-ultra must be one of 1:1, 16:9, 9:16, 4:3, 3:4 (got \"21:9\").", messages["options.aspect_ratio"]);
        Assert.Equal("Qolaba quality for model vertex/imagen-4-ultra must be one of 1K, 2K (got \"4K\").", messages["options.quality"]);
        Assert.Equal("Qolaba model vertex/imagen-4-ultra does not take reference_images.", messages["options.reference_images"]);
        Assert.Equal("Qolaba celery must be true or false.", messages["options.celery"]);
        Assert.Equal("Qolaba model vertex/nano-banana-flash does not take seed.", Assert.Single(noSeed).Message);
        Assert.Equal("model", Assert.Single(noModel).Field);
        Assert.Empty(Posts(fixture.RequestsOf(ProviderIds.Qolaba, key)));
    }

    [Fact]
    public async Task Qolaba_model_list_is_fetched_once_and_then_served_from_the_cache()
    {
        var key = NewKey();
        await using var services = ProviderServices.Build(fixture.Sandbox);
        var qolaba = services.GetRequiredService<QolabaClient>();

        var first = await qolaba.GetCapabilitiesAsync(new ProviderCredential(key), Ct);
        var second = await qolaba.GetCapabilitiesAsync(new ProviderCredential(key), Ct);

        Assert.Single(fixture.RequestsOf(ProviderIds.Qolaba, key), r => r.PathAndQuery == "/qolaba/api/v1/images/models");
        Assert.True(first.ModelsAreComplete);
        Assert.Equal(5, second.Models.Count);
        Assert.Equal(["1K", "2K", "4K"], second.FindModel("vertex/nano-banana-pro")!.ValuesOf("quality"));
        Assert.Equal(0.005m, second.Profile.UsdPerCredit);
    }

    [Fact]
    public async Task Qolaba_key_check_reads_the_model_list_and_tells_a_refused_key_apart()
    {
        var good = await Qolaba.CheckKeyAsync(new ProviderCredential(NewKey()), Ct);
        var bad = await Qolaba.CheckKeyAsync(new ProviderCredential(NewKey("bad")), Ct);

        Assert.Equal(KeyCheckStatus.Valid, good.Status);
        Assert.Null(good.Balance);
        Assert.Equal(KeyCheckStatus.Invalid, bad.Status);
        Assert.Equal("Qolaba refused the key (401). Check the key in Keys.", bad.Message);
    }

    [Fact]
    public async Task Qolaba_out_of_credits_is_InsufficientCredits()
    {
        var key = NewKey();
        fixture.State.SetBalance(ProviderIds.Qolaba, key, 1);

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            Qolaba.SubmitAsync(new GenerationRequest("a dog", "vertex/imagen-4-ultra"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.InsufficientCredits, error.Kind);
        Assert.Equal(0, fixture.State.Account(ProviderIds.Qolaba, key).AcceptedSubmissions);
    }
}
