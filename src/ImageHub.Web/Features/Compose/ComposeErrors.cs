using ImageHub.Providers;

namespace ImageHub.Web.Features.Compose;

/// <summary>
/// Field errors sorted to where the page shows them: the prompt's under the prompt, a provider's beside its field
/// ("kolbo.options.aspect_ratio" → Kolbo's aspect ratio; "kolbo.key" → Kolbo's panel), the rest above the Run button.
/// </summary>
public sealed class ComposeErrors
{
    private readonly Dictionary<string, Dictionary<string, string>> byProvider = new(StringComparer.Ordinal);

    public List<string> Prompt { get; } = [];
    public List<string> General { get; } = [];

    public bool Any => Prompt.Count > 0 || General.Count > 0 || byProvider.Values.Any(d => d.Count > 0);

    public IReadOnlyDictionary<string, string> For(string providerId) =>
        byProvider.TryGetValue(providerId, out var errors) ? errors : new Dictionary<string, string>();

    /// <summary>Sorts <paramref name="list"/>; <paramref name="providerId"/> names the provider when the fields are not prefixed.</summary>
    public void Add(string? providerId, IEnumerable<FieldError> list, IReadOnlyList<string> chosen)
    {
        foreach (var error in list)
        {
            var field = error.Field ?? "";
            var provider = providerId;
            var dot = field.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && ProviderIds.All.Contains(field[..dot]))
            {
                provider = field[..dot];
                field = field[(dot + 1)..];
            }
            else if (provider is null && chosen.Count == 1 && field != "prompt")
            {
                provider = chosen[0];
            }

            if (field == "prompt")
            {
                // One problem per prompt: ImageHub's own ("Write a prompt.") comes first; a provider saying the same again is not repeated.
                if (Prompt.Count == 0) Prompt.Add(error.Message);
            }
            else if (provider is not null && ProviderIds.All.Contains(provider))
            {
                if (!byProvider.TryGetValue(provider, out var errors)) byProvider[provider] = errors = new(StringComparer.Ordinal);
                errors.TryAdd(field, error.Message);
                // A field the panel does not show (an option this composer leaves out) is still said.
                if (!IsShownOnPanel(field)) General.Add(error.Message);
            }
            else
            {
                General.Add(error.Message);
            }
        }
    }

    private static bool IsShownOnPanel(string field) =>
        field is "model" or "numImages" or "key" || field.StartsWith("options.", StringComparison.Ordinal);
}
