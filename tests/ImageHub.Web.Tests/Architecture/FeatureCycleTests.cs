using System.Text.RegularExpressions;

namespace ImageHub.Web.Tests.Architecture;

/// <summary>
/// Feature folders (src/ImageHub.Web/Features/X, namespace ImageHub.Web.Features.X) depend on each other in one
/// direction only. A folder depends on another when its source names a type the other declares (razor components
/// included); comments, string literals and assigned names (component parameters, property setters) do not count.
/// </summary>
public sealed partial class FeatureCycleTests
{
    /// <summary>
    /// Cycles known today, each written down as "A&lt;->B" (alphabetical) with what still ties the two together.
    /// The test fails when a new cycle appears, and also when one of these is gone (then delete its line).
    /// </summary>
    private static readonly Dictionary<string, string> KnownCycles = new(StringComparer.Ordinal)
    {
        ["Account<->Admin"] = "registration mode lives in Admin; the admin page uses AccountService",
        ["Account<->Workspaces"] = "registration accepts invites (Account -> Workspaces); workspaces know users (Workspaces -> Account)",
        ["Gallery<->Jobs"] = "the runner stores images in the gallery's ImageStore",
        ["Jobs<->Spend"] = "the ledger takes a Generation and reviews resolve generations; Jobs reserves and settles through Spend",
        ["Budgets<->Jobs"] = "budgets read a Generation to reserve; Jobs lets BudgetExceededException through as a refusal",
        ["Budgets<->Spend"] = "one feature in two folders: budgets count the ledger's entries, the spend page shows budgets and alerts",
        ["Gallery<->Sharing"] = "share links are built on the gallery's boards and store; the gallery's pages open the share dialog and strip metadata for downloads",
    };

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
    public void Feature_folders_have_no_cycles_beyond_the_ones_written_down()
    {
        var edges = Dependencies();
        var cycles = edges.Keys.Where(e => string.CompareOrdinal(e.From, e.To) < 0 && edges.ContainsKey((e.To, e.From)))
            .ToDictionary(e => $"{e.From}<->{e.To}", e => $"{e.From} -> {e.To}: {string.Join(", ", edges[e])}; {e.To} -> {e.From}: {string.Join(", ", edges[(e.To, e.From)])}");

        var unexpected = cycles.Keys.Except(KnownCycles.Keys).Select(k => cycles[k]).ToList();
        var gone = KnownCycles.Keys.Except(cycles.Keys).ToList();

        Assert.True(unexpected.Count == 0, "New cycles between feature folders:\n" + string.Join("\n", unexpected));
        Assert.True(gone.Count == 0, "These cycles are gone: delete them from KnownCycles: " + string.Join(", ", gone));
    }
}
