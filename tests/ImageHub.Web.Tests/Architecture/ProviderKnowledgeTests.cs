using System.Text.RegularExpressions;

namespace ImageHub.Web.Tests.Architecture;

/// <summary>
/// Provider knowledge lives in ImageHub.Providers: the web app reads names, key checks, prices and allowed values
/// from each provider's profile and capabilities. No file under src/ImageHub.Web names one provider to branch on it.
/// </summary>
public sealed partial class ProviderKnowledgeTests
{
    /// <summary>A provider id as a literal ("kolbo"), a ProviderIds member (ProviderIds.Kolbo), or a concrete client (KolboClient).</summary>
    [GeneratedRegex("""(?<literal>"(?i:koala|qolaba|coals|kolbo)")|(?<member>\bProviderIds\.(?:Koala|Qolaba|Coals|Kolbo)\b)|(?<client>\b(?:Koala|Qolaba|Coals|Kolbo)Client\b)""")]
    private static partial Regex ProviderSpecific();

    private static string WebSources()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ImageHub.sln"))) directory = directory.Parent;
        Assert.NotNull(directory);
        return Path.Combine(directory.FullName, "src", "ImageHub.Web");
    }

    [Fact]
    public void The_pattern_catches_each_way_of_naming_a_provider()
    {
        Assert.Matches(ProviderSpecific(), """if (key.ProviderId == "koala")""");
        Assert.Matches(ProviderSpecific(), "card.ProviderId == ProviderIds.Kolbo ? x : y");
        Assert.Matches(ProviderSpecific(), "provider is KolboClient kolbo");
        Assert.DoesNotMatch(ProviderSpecific(), "foreach (var id in ProviderIds.All)");
        Assert.DoesNotMatch(ProviderSpecific(), "Generations on KoalaImages, Qolaba, Coals.ai and Kolbo");
    }

    [Fact]
    public void No_file_under_src_ImageHub_Web_compares_a_provider_id_or_downcasts_a_client()
    {
        var root = WebSources();
        var files = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        var found = files.SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(x => ProviderSpecific().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(root, x.file)}:{x.number}: {x.line.Trim()}")
            .ToList();

        Assert.True(files.Count > 50, $"Only {files.Count} source files found under {root}.");
        Assert.True(found.Count == 0, "Provider-specific code in the web app:\n" + string.Join("\n", found));
    }
}
