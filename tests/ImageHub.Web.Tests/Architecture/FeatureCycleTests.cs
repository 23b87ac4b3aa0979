using System.Text.RegularExpressions;

namespace ImageHub.Web.Tests.Architecture;

/// <summary>
/// Feature folders (src/ImageHub.Web/Features/X, namespace ImageHub.Web.Features.X) depend on each other in one
/// direction only. A folder depends on another when its source names a type the other declares (razor components
/// included); comments, string literals and assigned names (component parameters, property setters) do not count.
/// </summary>
public sealed partial class FeatureCycleTests
{
    [GeneratedRegex("""//[^\n]*|/\*.*?\*/|@\*.*?\*@|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])'""", RegexOptions.Singleline)]
    private static partial Regex CommentsAndStrings();

    /// <summary>A capitalised name that is not being assigned: <c>Row="true"</c> (a component parameter) and <c>Restore = …</c> (a property set) name no type.</summary>
    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9_]*\b(?!\s*=(?!=))")]
    private static partial Regex TypeLikeName();

    private static string FeatureOf(string? ns) =>
        ns is not null && ns.StartsWith("ImageHub.Web.Features.", StringComparison.Ordinal) ? ns["ImageHub.Web.Features.".Length..].Split('.')[0] : "";

    private static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ImageHub.sln"))) directory = directory.Parent;
        Assert.NotNull(directory);
        return Path.Combine(directory.FullName, "src", "ImageHub.Web", "Features");
    }

    private static Dictionary<(string From, string To), SortedSet<string>> Dependencies()
    {
        // Top-level types only: nested helpers (a Subscription inside two notifiers) are private to their owner.
        var declared = typeof(Program).Assembly.GetTypes()
            .Where(t => !t.IsNested && FeatureOf(t.Namespace) != "" && !t.Name.Contains('<', StringComparison.Ordinal))
            .GroupBy(t => t.Name.Split('`')[0], StringComparer.Ordinal)
            .Where(g => g.Select(t => FeatureOf(t.Namespace)).Distinct().Count() == 1)
            .ToDictionary(g => g.Key, g => FeatureOf(g.First().Namespace), StringComparer.Ordinal);
        var edges = new Dictionary<(string, string), SortedSet<string>>();
        var root = Root();
        foreach (var feature in Directory.GetDirectories(root).Select(Path.GetFileName))
        {
            var files = Directory.EnumerateFiles(Path.Combine(root, feature!), "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal));
            foreach (var file in files)
            {
                var code = CommentsAndStrings().Replace(File.ReadAllText(file), " ");
                foreach (Match name in TypeLikeName().Matches(code))
                {
                    if (declared.TryGetValue(name.Value, out var owner) && owner != feature)
                    {
                        if (!edges.TryGetValue((feature!, owner), out var names)) edges[(feature!, owner)] = names = new(StringComparer.Ordinal);
                        names.Add(name.Value);
                    }
                }
            }
        }
        return edges;
    }

    [Fact]
    public void The_scan_sees_the_dependencies_that_are_meant_to_be_there()
    {
        var edges = Dependencies();

        Assert.Contains("GenerationService", edges[("Compose", "Jobs")]); // the composer submits through the jobs
        Assert.Contains("CurrentWorkspace", edges[("Keys", "Workspaces")]);
        Assert.DoesNotContain(("Workspaces", "Keys"), edges.Keys);
    }

    [Fact]
    public void Feature_folders_depend_on_each_other_in_one_direction_only()
    {
        var edges = Dependencies();
        var features = edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var reaches = features.ToDictionary(f => f, f => Reachable(f, edges), StringComparer.Ordinal);

        // Folders that reach each other form a cycle, however long the way round; each is reported with the names that tie it.
        var cycles = features
            .Select(f => features.Where(g => reaches[f].Contains(g) && reaches[g].Contains(f)).ToList())
            .Where(group => group.Count > 1)
            .DistinctBy(group => string.Join("<->", group))
            .Select(group => string.Join("<->", group) + ":\n" + string.Join("\n",
                edges.Where(e => group.Contains(e.Key.From) && group.Contains(e.Key.To))
                    .Select(e => $"  {e.Key.From} -> {e.Key.To}: {string.Join(", ", e.Value)}")))
            .ToList();

        Assert.True(cycles.Count == 0, "Feature folders in a cycle:\n" + string.Join("\n", cycles));
    }

    private static HashSet<string> Reachable(string from, Dictionary<(string From, string To), SortedSet<string>> edges)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = new Stack<string>([from]);
        while (next.TryPop(out var at))
        {
            foreach (var (edge, _) in edges)
            {
                if (edge.From == at && seen.Add(edge.To)) next.Push(edge.To);
            }
        }
        return seen;
    }
}
