using System.Text.Json;
using ImageHub.Providers.Koala;
using ImageHub.Providers.Qolaba;
using ImageHub.Providers.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Providers.Tests.Unit;

public sealed class ContractTypesTests
{
    private static ServiceProvider Offline() =>
        new ServiceCollection().AddImageHubProviders(new ConfigurationBuilder().Build()).BuildServiceProvider();

    [Fact]
    public void A_credential_never_shows_its_key_when_printed()
    {
        var credential = new ProviderCredential("kolbo_live_supersecret_9876");

        Assert.Equal("••••9876", credential.ToString());
        Assert.Equal("••••9876", $"{credential}");
        Assert.Equal("kolbo_live_supersecret_9876", credential.Reveal());
        Assert.Equal("••••", new ProviderCredential("short").ToString());
    }

    [Fact]
    public void A_key_echoed_in_a_provider_error_is_masked_in_the_message()
    {
        var credential = new ProviderCredential("sk-echoed-secret-1234");
        var descriptor = new ProviderDescriptor(new ProviderProfile("koala", "Koala", CanCheckKeys: false, "", UsdPerCredit: null), "");
        var reply = new ProviderReply(400, new HttpResponseMessage().Headers, """{"error":"Key sk-echoed-secret-1234 cannot use style 'x'"}""", new Uri("http://x/"), null);

        var error = ProviderErrors.FromReply(descriptor, reply, credential, isSubmission: true);

        Assert.DoesNotContain("sk-echoed-secret-1234", error.UserMessage);
        Assert.DoesNotContain("sk-echoed-secret-1234", error.ProviderMessage);
        Assert.Equal("Koala rejected the request (400): Key ••••1234 cannot use style 'x'.", error.UserMessage);
    }

    [Fact]
    public void A_handle_survives_the_round_trip_through_a_database_string()
    {
        var handle = new ProviderHandle("kolbo", "gen_1", "https://api.kolbo.ai/api/v1/generate/gen_1/status", 3,
            [new ProviderImage("https://cdn/x.png", 1024, 768, "image/png")], 16m, null, "nano-banana-2");

        var text = handle.Serialize();
        var back = ProviderHandle.Deserialize(text);

        Assert.Equal(handle.Id, back.Id);
        Assert.Equal(handle.PollUrl, back.PollUrl);
        Assert.Equal(handle.PollIntervalSeconds, back.PollIntervalSeconds);
        Assert.Equal(handle.ImagesOrEmpty, back.ImagesOrEmpty);
        Assert.Equal(16m, back.Credits);
        Assert.False(ProviderHandle.TryDeserialize("{not json", out _));
        Assert.Throws<FormatException>(() => ProviderHandle.Deserialize(""));
    }

    [Fact]
    public async Task Koala_quality_is_refused_for_a_model_that_has_no_qualities_and_named_for_one_that_has()
    {
        using var services = Offline();
        var koala = services.GetRequiredService<KoalaClient>();
        var capabilities = await koala.GetCapabilitiesAsync(cancellationToken: TestContext.Current.CancellationToken);

        var onStandard = koala.Validate(new GenerationRequest("a cat", "standard", Options: GenerationRequest.OptionsFrom(("quality", "high"))), capabilities);
        var onGpt = koala.Validate(new GenerationRequest("a cat", "gpt-image-2", Options: GenerationRequest.OptionsFrom(("quality", "ultra"))), capabilities);
        var unknownModel = koala.Validate(new GenerationRequest("a cat", "dall-e-2"), capabilities);

        Assert.Equal("Koala model standard does not take quality.", Assert.Single(onStandard).Message);
        Assert.Equal("Koala quality for model gpt-image-2 must be one of fast, medium, high (got \"ultra\").", Assert.Single(onGpt).Message);
        Assert.Equal("Koala model must be one of standard, premium, gpt-image-2, ideogram-3.0, nano-banana-2 (got \"dall-e-2\").", Assert.Single(unknownModel).Message);
    }

    [Fact]
    public async Task Every_provider_refuses_an_empty_prompt_and_one_over_its_limit()
    {
        using var services = Offline();
        foreach (var provider in services.GetRequiredService<IProviderRegistry>().All)
        {
            var capabilities = await provider.GetCapabilitiesAsync(cancellationToken: TestContext.Current.CancellationToken);
            var model = capabilities.DefaultModel ?? capabilities.Models.FirstOrDefault()?.Id;

            var empty = provider.Validate(new GenerationRequest("  ", model), capabilities);
            var tooLong = provider.Validate(new GenerationRequest(new string('x', capabilities.MaxPromptLength + 1), model), capabilities);

            Assert.Equal(new FieldError("prompt", $"{provider.DisplayName} needs a prompt."), Assert.Single(empty));
            Assert.StartsWith($"{provider.DisplayName} prompts can be at most", Assert.Single(tooLong).Message);
        }
    }

    [Fact]
    public async Task Capabilities_describe_each_provider_for_a_ui_without_a_key()
    {
        using var services = Offline();
        var all = new Dictionary<string, ProviderCapabilities>();
        foreach (var provider in services.GetRequiredService<IProviderRegistry>().All)
        {
            all[provider.Id] = await provider.GetCapabilitiesAsync(cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal(["style", "size", "quality"], all["koala"].Options.Select(o => o.Name));
        Assert.Equal(["aspect_ratio", "quality", "seed", "negative_prompt", "num_inference_steps", "guidance_scale", "temperature", "reference_images", "image_urls", "mask_url", "celery"],
            all["qolaba"].Options.Select(o => o.Name));
        Assert.Equal(["width", "height"], all["coals"].Options.Select(o => o.Name));
        Assert.Equal(["aspect_ratio", "enhance_prompt", "reference_images", "visual_dna_ids", "moodboard_id"], all["kolbo"].Options.Select(o => o.Name));
        Assert.Equal((4, 10, 4, 4), (all["koala"].MaxImages, all["qolaba"].MaxImages, all["coals"].MaxImages, all["kolbo"].MaxImages));
        Assert.Equal((false, true, true, true), (all["koala"].Profile.CanCheckKeys, all["qolaba"].Profile.CanCheckKeys, all["coals"].Profile.CanCheckKeys, all["kolbo"].Profile.CanCheckKeys));
        Assert.Equal((false, false, true, true), (all["koala"].ReportsBalance, all["qolaba"].ReportsBalance, all["coals"].ReportsBalance, all["kolbo"].ReportsBalance));
        Assert.True(all["kolbo"].SupportsCancel);
        Assert.Equal((null, 0.005m, 0.01m, null), (all["koala"].Profile.UsdPerCredit, all["qolaba"].Profile.UsdPerCredit, all["coals"].Profile.UsdPerCredit, all["kolbo"].Profile.UsdPerCredit));
        Assert.Equal(5m, all["koala"].FindModel("premium")!.CreditsPerImage);
        Assert.Equal(20m, all["koala"].FindModel("gpt-image-2")!.CreditsByQuality!["high"]);
        Assert.Equal(2m, all["coals"].FindModel("flux")!.CreditsPerCall);
    }

    [Fact]
    public async Task Credit_estimates_follow_each_providers_price_rules()
    {
        using var services = Offline();
        var registry = services.GetRequiredService<IProviderRegistry>();
        async Task<decimal?> Estimate(string id, GenerationRequest request)
        {
            var provider = registry.Get(id);
            return provider.EstimateCredits(request, await provider.GetCapabilitiesAsync(cancellationToken: TestContext.Current.CancellationToken));
        }

        Assert.Equal(15m, await Estimate("koala", new GenerationRequest("x", "premium", 3)));
        Assert.Equal(8m, await Estimate("koala", new GenerationRequest("x", "gpt-image-2")));   // the configured default quality: medium
        Assert.Equal(2m, await Estimate("coals", new GenerationRequest("x", NumImages: 4)));
        Assert.Null(await Estimate("kolbo", new GenerationRequest("x")));                       // Smart Select: Kolbo decides
    }

    [Fact]
    public async Task An_unknown_qolaba_option_type_is_a_field_error_not_a_crash()
    {
        using var services = Offline();
        var qolaba = services.GetRequiredService<QolabaClient>();
        var capabilities = await qolaba.GetCapabilitiesAsync(cancellationToken: TestContext.Current.CancellationToken);
        var options = new Dictionary<string, JsonElement>
        {
            ["seed"] = JsonDocument.Parse("1.5").RootElement,
            ["reference_images"] = JsonDocument.Parse("""[42, "not a url"]""").RootElement,
            ["aspect_ratio"] = JsonDocument.Parse("169").RootElement,
        };

        var errors = qolaba.Validate(new GenerationRequest("x", "vertex/imagen-4", Options: options), capabilities);

        Assert.Contains(new FieldError("options.seed", "Qolaba seed must be a whole number."), errors);
        Assert.Contains(errors, e => e.Field == "options.reference_images[0]");
        Assert.Contains(new FieldError("options.reference_images[1]", "Qolaba reference_images items must be http(s) URLs (got \"not a url\")."), errors);
        Assert.Contains(errors, e => e.Field == "options.aspect_ratio" && e.Message.StartsWith("Qolaba aspect_ratio must be text", StringComparison.Ordinal));
    }
}
