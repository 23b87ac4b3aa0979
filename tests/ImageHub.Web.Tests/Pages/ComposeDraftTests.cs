using System.Text.Json;
using ImageHub.Providers;
using ImageHub.Web.Features.Compose;
using ImageHub.Web.Features.Spend;
using static ImageHub.Web.Tests.Pages.Markup;

namespace ImageHub.Web.Tests.Pages;

/// <summary>How what a person types in the composer becomes each provider's own request fields.</summary>
public sealed class ComposeDraftTests
{
    [Fact]
    public async Task Typed_values_reach_the_provider_as_numbers_switches_and_lists_and_empty_fields_are_left_to_the_provider()
    {
        var caps = await CapabilitiesAsync(ProviderIds.Qolaba);
        var settings = new ProviderSettings(ProviderIds.Qolaba) { Model = "vertex/imagen-4", NumImages = 2 };
        settings.Set("seed", "42");
        settings.Set("guidance_scale", "7,5");
        settings.Set("reference_images", "https://example.com/a.png\nhttps://example.com/b.png");
        settings.Set("negative_prompt", "  ");

        var (request, errors) = settings.ToRequest("A fox", caps);

        Assert.Empty(errors);
        Assert.Equal(("vertex/imagen-4", 2), (request.Model, request.NumImages));
        Assert.Equal(JsonValueKind.Number, request.Options!["seed"].ValueKind);
        Assert.Equal(42, request.Options["seed"].GetInt64());
        Assert.Equal(7.5m, request.Options["guidance_scale"].GetDecimal());
        Assert.Equal(["https://example.com/a.png", "https://example.com/b.png"], request.Options["reference_images"].EnumerateArray().Select(e => e.GetString()));
        Assert.False(request.Options.ContainsKey("negative_prompt"));
        Assert.Empty(Markup.Providers.Get(ProviderIds.Qolaba).Validate(request, caps));
    }

    [Fact]
    public async Task Letters_in_a_number_field_are_refused_beside_that_field_before_anything_is_sent()
    {
        var caps = await CapabilitiesAsync(ProviderIds.Coals);
        var settings = new ProviderSettings(ProviderIds.Coals);
        settings.Set("width", "wide");

        var (request, errors) = settings.ToRequest("A fox", caps);

        var error = Assert.Single(errors);
        Assert.Equal("options.width", error.Field);
        Assert.Equal("Width must be a whole number.", error.Message);
        Assert.Null(request.Options);
    }

    [Fact]
    public async Task One_shape_for_a_compare_maps_to_each_providers_own_fields()
    {
        var capabilities = new Dictionary<string, ProviderCapabilities>();
        foreach (var id in ProviderIds.All) capabilities[id] = await CapabilitiesAsync(id);
        var draft = new ComposeDraft();
        foreach (var id in ProviderIds.All) draft.Toggle(id);

        ComposeOptions.ApplyAspectRatio(draft, "9:16", capabilities);

        Assert.Equal("768x1344", draft.For(ProviderIds.Koala).Get("size"));
        Assert.Equal("9:16", draft.For(ProviderIds.Qolaba).Get("aspect_ratio"));
        Assert.Equal(("576", "1024"), (draft.For(ProviderIds.Coals).Get("width"), draft.For(ProviderIds.Coals).Get("height")));
        Assert.Equal("9:16", draft.For(ProviderIds.Kolbo).Get("aspect_ratio"));
        Assert.Equal(2000, draft.PromptLimit(capabilities)); // Coals has the smallest prompt limit
        foreach (var id in ProviderIds.All)
        {
            var (request, errors) = draft.For(id).ToRequest("A tall tower", capabilities[id]);
            Assert.Empty(errors);
            Assert.Empty(Markup.Providers.Get(id).Validate(request with { Model = request.Model ?? capabilities[id].Models.FirstOrDefault()?.Id }, capabilities[id]));
        }
    }

    [Fact]
    public async Task The_estimate_is_in_each_providers_credits_with_usd_where_the_rate_is_known_and_an_admins_koala_price_wins()
    {
        var draft = new ComposeDraft { Prompt = "A fox" };
        draft.Toggle(ProviderIds.Koala);
        draft.Toggle(ProviderIds.Coals);
        draft.For(ProviderIds.Koala).NumImages = 3;
        var none = new Dictionary<string, IReadOnlyList<OptionChoice>>();
        var koala = new ProviderChoice(await CapabilitiesAsync(ProviderIds.Koala), null, null, none, null);
        var coals = new ProviderChoice(await CapabilitiesAsync(ProviderIds.Coals), null, null, none, null);
        var documented = new ComposeEstimator(Markup.Providers, PriceBook.Empty); // Coals documents $0.01 per credit itself
        var overridden = new ComposeEstimator(Markup.Providers, new PriceBook(new Dictionary<string, decimal?> { ["koala"] = 0.02m },
            new Dictionary<(string, string), decimal> { [("koala", "standard")] = 2 }));
        var otherModelOverridden = new ComposeEstimator(Markup.Providers, new PriceBook(new Dictionary<string, decimal?>(),
            new Dictionary<(string, string), decimal> { [("koala", "premium")] = 9 }));

        Assert.Equal("≈ 3 credits", documented.Text(koala, draft));             // standard: 1 credit per image, no USD rate
        Assert.Equal("≈ 2 credits · $0.02", documented.Text(coals, draft));
        Assert.Equal("", documented.Total([koala, coals], draft));            // no total while one part has no USD
        Assert.Equal("≈ 6 credits · $0.12", overridden.Text(koala, draft));
        Assert.Equal("≈ 3 credits", otherModelOverridden.Text(koala, draft)); // another model's price changes nothing here
        Assert.Equal("Estimated total $0.14.", overridden.Total([koala, coals], draft));
    }

    [Fact]
    public void Use_again_fills_the_settings_from_the_stored_options()
    {
        var settings = new ProviderSettings(ProviderIds.Kolbo);
        var stored = GenerationRequest.OptionsFrom(("aspect_ratio", "16:9"), ("enhance_prompt", false), ("visual_dna_ids", new[] { "dna-1", "dna-2" }));

        settings.Load("flux-pro", 3, stored);

        Assert.Equal(("flux-pro", 3), (settings.Model, settings.NumImages));
        Assert.Equal("16:9", settings.Get("aspect_ratio"));
        Assert.Equal("false", settings.Get("enhance_prompt"));
        Assert.Equal("dna-1\ndna-2", settings.Get("visual_dna_ids"));
    }
}
