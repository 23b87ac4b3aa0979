using System.Text.Json;
using ImageHub.Providers.Kolbo;
using ImageHub.Providers.Qolaba;
using ImageHub.Providers.Tests.Support;
using static ImageHub.Providers.Tests.Support.TestData;

namespace ImageHub.Providers.Tests.Contract;

/// <summary>Issue 13 finding 6: every list and text option is bounded, from the provider's capabilities, and a refusal names the field.</summary>
public sealed class OptionLimitTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static string Url(int length) => "https://example.com/" + new string('a', length - "https://example.com/".Length);

    public static TheoryData<string> Providers => [.. ProviderIds.All];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_text_and_list_option_of_every_provider_has_a_bound(string providerId)
    {
        var provider = fixture.Get<IProviderRegistry>().Get(providerId);

        var capabilities = await provider.GetCapabilitiesAsync(new ProviderCredential(NewKey()), Ct);

        Assert.All(capabilities.Options, o =>
        {
            if (o.Kind is OptionKind.String or OptionKind.StringList || (o.Kind == OptionKind.Enum && o.AllowedValues is not { Count: > 0 }))
                Assert.True(o.MaxLength is > 0, $"{providerId} {o.Name} has no MaxLength.");
            if (o.Kind == OptionKind.StringList)
                Assert.True(o.MaxItems is > 0, $"{providerId} {o.Name} has no MaxItems.");
        });
    }

    [Fact]
    public async Task Qolaba_takes_at_most_16_image_urls_and_twenty_thousand_give_one_clear_error()
    {
        var qolaba = fixture.Get<QolabaClient>();
        var capabilities = await qolaba.GetCapabilitiesAsync(new ProviderCredential(NewKey()), Ct);
        var sixteen = Enumerable.Range(0, 16).Select(i => $"https://example.com/{i}.png").ToArray();
        var flood = Enumerable.Range(0, 20_000).Select(i => $"https://example.com/{i}.png").ToArray();

        var fine = qolaba.Validate(new GenerationRequest("edit", "vertex/nano-banana-pro", Options: Options(("image_urls", sixteen))), capabilities);
        var refused = qolaba.Validate(new GenerationRequest("edit", "vertex/nano-banana-pro", Options: Options(("image_urls", flood))), capabilities);

        Assert.Empty(fine);
        var error = Assert.Single(refused, e => e.Field == "options.image_urls");
        Assert.Equal("Qolaba image_urls can hold at most 16 item(s) (got 20000).", error.Message);
        Assert.DoesNotContain(refused, e => e.Field.StartsWith("options.image_urls[", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Qolaba_urls_longer_than_2048_characters_are_refused_naming_the_item()
    {
        var qolaba = fixture.Get<QolabaClient>();
        var capabilities = await qolaba.GetCapabilitiesAsync(new ProviderCredential(NewKey()), Ct);

        var errors = qolaba.Validate(new GenerationRequest("edit", "vertex/nano-banana-pro",
            Options: Options(("image_urls", new[] { Url(2048), Url(2049) }), ("mask_url", Url(2049)))), capabilities);

        Assert.Equal(["options.image_urls[1]", "options.mask_url"], errors.Select(e => e.Field).Order());
        Assert.Contains("at most 2,048 characters", errors[0].Message);
    }

    [Fact]
    public async Task Kolbo_reference_images_are_bounded_by_the_models_max_reference_images()
    {
        var kolbo = fixture.Get<KolboClient>();
        var capabilities = await kolbo.GetCapabilitiesAsync(new ProviderCredential(NewKey()), Ct);
        var five = Enumerable.Range(0, 5).Select(i => $"https://example.com/{i}.png").ToArray();

        var flux = kolbo.Validate(new GenerationRequest("a shoe", "flux-2-pro", Options: Options(("reference_images", five))), capabilities);
        var banana = kolbo.Validate(new GenerationRequest("a shoe", "nano-banana-2", Options: Options(("reference_images", five))), capabilities);
        var ideogram = kolbo.Validate(new GenerationRequest("a shoe", "ideogram-v3", Options: Options(("reference_images", five[..1]))), capabilities);
        var smart = kolbo.Validate(new GenerationRequest("a shoe", Options: Options(("reference_images", five))), capabilities);

        Assert.Equal("Kolbo reference_images can hold at most 4 item(s) (got 5).", Assert.Single(flux).Message);
        Assert.Empty(banana); // 14 for this model
        Assert.Equal(new FieldError("options.reference_images", "Kolbo model ideogram-v3 does not take reference_images."), Assert.Single(ideogram));
        Assert.Equal("options.reference_images", Assert.Single(smart).Field);
    }

    [Fact]
    public async Task Kolbo_takes_at_most_3_visual_dna_ids_of_a_sane_length()
    {
        var kolbo = fixture.Get<KolboClient>();
        var capabilities = await kolbo.GetCapabilitiesAsync(new ProviderCredential(NewKey()), Ct);

        var four = kolbo.Validate(new GenerationRequest("a hero", Options: Options(("visual_dna_ids", new[] { "a", "b", "c", "d" }))), capabilities);
        var longId = kolbo.Validate(new GenerationRequest("a hero", Options: Options(("visual_dna_ids", new[] { new string('x', 65) }))), capabilities);
        var longMoodboard = kolbo.Validate(new GenerationRequest("a hero", Options: Options(("moodboard_id", new string('x', 65)))), capabilities);

        Assert.Equal(new FieldError("options.visual_dna_ids", "Kolbo visual_dna_ids can hold at most 3 item(s) (got 4)."), Assert.Single(four));
        Assert.Equal("options.visual_dna_ids[0]", Assert.Single(longId).Field);
        Assert.Equal("options.moodboard_id", Assert.Single(longMoodboard).Field);
    }

    [Fact]
    public async Task A_free_text_quality_and_an_overlong_model_id_are_refused_before_anything_is_sent()
    {
        var qolaba = fixture.Get<QolabaClient>();
        var capabilities = await qolaba.GetCapabilitiesAsync(null, Ct); // before the list is fetched: quality has no allowed values

        var errors = qolaba.Validate(new GenerationRequest("x", new string('m', 201), Options: Options(("quality", new string('q', 33)))), capabilities);

        Assert.Contains(errors, e => e.Field == "model" && e.Message.Contains("at most 200 characters", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "options.quality" && e.Message.Contains("at most 32 characters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Options_that_are_each_within_bounds_but_too_large_together_are_refused_as_options()
    {
        var qolaba = fixture.Get<QolabaClient>();
        var capabilities = await qolaba.GetCapabilitiesAsync(new ProviderCredential(NewKey()), Ct);
        var urls = Enumerable.Range(0, 16).Select(_ => Url(2000)).ToArray();

        var errors = qolaba.Validate(new GenerationRequest("edit", "vertex/nano-banana-pro", Options: Options(("image_urls", urls))), capabilities);

        var error = Assert.Single(errors);
        Assert.Equal("options", error.Field);
        Assert.StartsWith("Qolaba options can be at most 16,000 characters of JSON together", error.Message);
    }

    [Fact]
    public async Task Submitting_an_unbounded_list_sends_nothing()
    {
        var key = NewKey();
        var flood = JsonSerializer.SerializeToElement(Enumerable.Range(0, 20_000).Select(i => $"https://example.com/{i}.png"));

        var error = await Assert.ThrowsAsync<ProviderException>(() => fixture.Get<QolabaClient>().SubmitAsync(
            new GenerationRequest("edit", "vertex/nano-banana-pro", Options: new Dictionary<string, JsonElement> { ["image_urls"] = flood }), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.Contains(error.FieldErrors, e => e.Field == "options.image_urls");
        Assert.DoesNotContain(fixture.RequestsOf(ProviderIds.Qolaba, key), r => r.Method == "POST");
    }
}
