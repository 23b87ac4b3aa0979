using ImageHub.Providers;
using ImageHub.Web.Features.Compose;
using ImageHub.Web.Features.Gallery;
using ImageHub.Web.Features.Jobs;
using static ImageHub.Web.Tests.Pages.Markup;

namespace ImageHub.Web.Tests.Pages;

/// <summary>What the composer's panels and result cards show, rendered from the real providers' capabilities.</summary>
public sealed class ComposerMarkupTests
{
    private static async Task<string> PanelAsync(string providerId, Action<ProviderSettings>? arrange = null, IReadOnlyDictionary<string, string>? errors = null,
        ProviderCapabilities? capabilities = null, IReadOnlyList<OptionChoice>? moodboards = null)
    {
        var caps = capabilities ?? await CapabilitiesAsync(providerId);
        var settings = new ProviderSettings(providerId);
        arrange?.Invoke(settings);
        return await RenderAsync<ProviderPanel>(new Dictionary<string, object?>
        {
            [nameof(ProviderPanel.Choice)] = new ProviderChoice(caps, "Team key", null, new Dictionary<string, IReadOnlyList<OptionChoice>> { ["moodboard_id"] = moodboards ?? [] }, null),
            [nameof(ProviderPanel.Settings)] = settings,
            [nameof(ProviderPanel.Errors)] = errors ?? new Dictionary<string, string>(),
            [nameof(ProviderPanel.Estimate)] = "≈ 1 credit",
        });
    }

    [Fact]
    public async Task Koala_shows_its_style_and_size_dropdowns_with_exactly_the_documented_values_and_nothing_of_the_others()
    {
        var html = await PanelAsync(ProviderIds.Koala);

        var styles = OptionValues(Element(html, "opt-koala-style"));
        var sizes = OptionValues(Element(html, "opt-koala-size"));

        Assert.Equal(["", "photo", "illustration", "watercolor", "fantasy", "anime", "3d", "isometric", "none"], styles);
        Assert.Equal(["", "1024x1024", "1152x896", "1216x832", "1344x768", "1536x640", "640x1536", "768x1344", "832x1216", "896x1152"], sizes);
        Assert.Contains("Default (photo)", Text(Element(html, "opt-koala-style")));
        Assert.DoesNotContain("opt-koala-aspect_ratio", html);
        Assert.DoesNotContain("opt-koala-width", html);
        Assert.DoesNotContain("opt-koala-quality", html); // the standard model is not priced by quality
    }

    [Fact]
    public async Task Koala_quality_appears_only_for_a_model_priced_by_quality()
    {
        var caps = await CapabilitiesAsync(ProviderIds.Koala);
        var byQuality = caps.Models.First(m => m.Qualities is { Count: > 0 });

        var html = await PanelAsync(ProviderIds.Koala, s => s.Model = byQuality.Id);

        Assert.Equal(["", .. byQuality.Qualities!], OptionValues(Element(html, "opt-koala-quality")));
    }

    [Fact]
    public async Task Coals_sides_are_number_inputs_bounded_to_256_through_2048_and_the_model_is_not_asked()
    {
        var html = await PanelAsync(ProviderIds.Coals);

        var width = Element(html, "opt-coals-width");
        var height = Element(html, "opt-coals-height");

        Assert.Contains("type=\"number\"", width);
        Assert.Contains("min=\"256\"", width);
        Assert.Contains("max=\"2048\"", width);
        Assert.Contains("max=\"2048\"", height);
        Assert.Contains("max=\"4\"", Element(html, "num-coals"));
        Assert.DoesNotContain("model-coals", html);
    }

    [Fact]
    public async Task Kolbo_defaults_to_Smart_Select_lists_its_live_models_and_moodboards_and_enhance_prompt_is_a_switch_that_starts_on()
    {
        var caps = (await CapabilitiesAsync(ProviderIds.Kolbo)) with
        {
            Models = [new ProviderModel("flux-pro", "FLUX Pro", CreditsPerImage: 4, AspectRatios: ["1:1", "16:9"])
            {
                OptionValues = new Dictionary<string, IReadOnlyList<string>> { ["aspect_ratio"] = ["1:1", "16:9"] },
            }, new ProviderModel("ideogram", "Ideogram", CreditsPerImage: 3)],
        };

        var html = await PanelAsync(ProviderIds.Kolbo, s => s.Model = "flux-pro", capabilities: caps,
            moodboards: [new OptionChoice("mb-1", "Autumn palette")]);

        var model = Element(html, "model-kolbo");
        Assert.Equal(["", "flux-pro", "ideogram"], OptionValues(model));
        Assert.Contains("Automatic (Smart Select)", Text(model));
        Assert.Equal(["", "1:1", "16:9"], OptionValues(Element(html, "opt-kolbo-aspect_ratio"))); // the chosen model's own ratios
        Assert.Equal(["", "mb-1"], OptionValues(Element(html, "opt-kolbo-moodboard_id")));
        Assert.Contains("Autumn palette", html);
        var enhance = Element(html, "opt-kolbo-enhance_prompt");
        Assert.Contains("type=\"checkbox\"", enhance);
        Assert.Contains("checked", enhance);
    }

    [Fact]
    public async Task Qolaba_offers_its_sampling_options_with_their_ranges_and_leaves_out_transport_fields()
    {
        var html = await PanelAsync(ProviderIds.Qolaba);

        var steps = Element(html, "opt-qolaba-num_inference_steps");

        Assert.Contains("min=\"1\"", steps);
        Assert.Contains("max=\"150\"", steps);
        Assert.Contains("max=\"30\"", Element(html, "opt-qolaba-guidance_scale"));
        Assert.Contains("maxlength=\"2000\"", Element(html, "opt-qolaba-negative_prompt"));
        Assert.Contains("opt-qolaba-seed", html);
        Assert.DoesNotContain("opt-qolaba-celery", html);
        Assert.DoesNotContain("opt-qolaba-mask_url", html);
    }

    [Fact]
    public async Task A_compare_error_from_the_service_is_shown_beside_the_providers_own_field()
    {
        var errors = new ComposeErrors();
        errors.Add(null, [new FieldError("coals.options.width", "Coals width must be between 256 and 2048 (got 5000)."),
            new FieldError("kolbo.key", "No key for Kolbo yet: add one in Keys, or ask an admin."),
            new FieldError("prompt", "Coals prompts can be at most 2,000 characters; this one has 2,400.")], [ProviderIds.Coals, ProviderIds.Kolbo]);

        var coals = await PanelAsync(ProviderIds.Coals, errors: errors.For(ProviderIds.Coals));
        var kolbo = await PanelAsync(ProviderIds.Kolbo, errors: errors.For(ProviderIds.Kolbo));

        Assert.Equal("Coals width must be between 256 and 2048 (got 5000).", Text(Element(coals, "error-coals-options.width")));
        Assert.Contains("ih-field-invalid", Element(coals, "field-coals-width"));
        Assert.Contains("No key for Kolbo yet", Text(Element(kolbo, "error-kolbo-key")));
        Assert.Equal(["Coals prompts can be at most 2,000 characters; this one has 2,400."], errors.Prompt);
        Assert.Empty(errors.General);
    }

    [Fact]
    public async Task A_running_card_shows_progress_and_a_cancel_button_and_no_images_yet()
    {
        var card = Card(GenerationStatus.Running, progress: 40);

        var html = await RenderAsync<ResultCard>(new Dictionary<string, object?>
        {
            [nameof(ResultCard.Card)] = card,
            [nameof(ResultCard.OnCancel)] = Microsoft.AspNetCore.Components.EventCallback.Factory.Create<Guid>(this, _ => { }),
        });

        Assert.Equal("Running 40%", Text(Element(html, "status")));
        Assert.Contains("aria-valuenow=\"40\"", html);
        Assert.Contains("data-testid=\"cancel\"", html);
        Assert.Contains("≈ 5 credits", Text(Element(html, "credits")));
        Assert.DoesNotContain("result-image", html);
    }

    [Fact]
    public async Task A_finished_card_links_each_thumbnail_to_its_image_page_with_credits_usd_and_seconds()
    {
        var image = new ImageTile(Guid.CreateVersion7(), Guid.Empty, 1024, 768, "image/png");
        var card = Card(GenerationStatus.Succeeded, credits: 6, usd: 0.03m, images: [image]);

        var html = await RenderAsync<ResultCard>(new Dictionary<string, object?> { [nameof(ResultCard.Card)] = card });

        Assert.Contains($"href=\"/images/{image.Id}/view\"", html);
        Assert.Contains($"src=\"/images/{image.Id}/thumb\"", html);
        Assert.Equal("6 credits", Text(Element(html, "credits")));
        Assert.Equal("$0.03", Text(Element(html, "usd")));
        Assert.Equal("12.5 s", Text(Element(html, "seconds")));
        Assert.DoesNotContain("data-testid=\"cancel\"", html);
    }

    [Fact]
    public async Task A_failed_card_says_why_in_the_providers_words()
    {
        var card = Card(GenerationStatus.Failed, error: "Qolaba says the balance is too low (402). Top up at Qolaba; nothing was charged.");

        var html = await RenderAsync<ResultCard>(new Dictionary<string, object?> { [nameof(ResultCard.Card)] = card });

        Assert.Equal("Failed", Text(Element(html, "status")));
        Assert.Contains("balance is too low", Text(Element(html, "error")));
    }

    private static GenerationCard Card(GenerationStatus status, int? progress = null, decimal? credits = null, decimal? usd = null,
        IReadOnlyList<ImageTile>? images = null, string? error = null)
    {
        var created = new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);
        return new GenerationCard(Guid.CreateVersion7(), null, ProviderIds.Qolaba, "vertex/imagen-4", "A lighthouse", 1, "{}", status, progress, error,
            EstimatedCredits: 5, credits, usd, "Team key", "ada@example.com", created, created.AddSeconds(1),
            status.IsFinal() ? created.AddSeconds(12.5) : null, images ?? []);
    }
}
