using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace ImageHub.Soak;

/// <summary>
/// After the load: waits (bounded) for the queue to drain, then checks the invariants against the hub's database,
/// the sandbox's accounts and charge logs, and both instances' image endpoints, and prints them. Generations are matched
/// to the sandbox's charges by the unique token each prompt carries.
/// </summary>
public sealed partial class Verdict(SoakOptions options, Cluster cluster, SoakRun run)
{
    private static readonly string[] Unfinished = ["Queued", "Submitting", "Running", "Downloading"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly List<string> broken = [];

    private sealed record Row(Guid Id, string Token, string Status, string Provider, Guid? KeyId, string? ErrorCode);

    private sealed record Charge(string Kind, decimal Credits, string Prompt);

    private sealed record Account(decimal CreditsCharged, decimal CreditsRefunded);

    /// <summary>Prints the figures; true when every invariant holds.</summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        var unfinished = await DrainAsync(ct);
        await using var db = new NpgsqlConnection(cluster.DatabaseConnection);
        await db.OpenAsync(ct);
        var rows = await GenerationsAsync(db, ct);
        var ledger = await LedgerAsync(db, ct);

        Console.WriteLine();
        Console.WriteLine($"Soak test: {options.Minutes:0.##} min of load at {options.Rate:0.##} generations/s, a fault queued every {options.FaultEvery.TotalSeconds:0.##} s, {options.Kills} SIGKILL(s); 2 instances on PostgreSQL, 1 sandbox");
        var outcomes = run.Submitted.Values.GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count());
        Console.WriteLine($"submitted: {run.Submitted.Count} (202 accepted {outcomes.GetValueOrDefault(SubmitOutcome.Accepted)}, refused {outcomes.GetValueOrDefault(SubmitOutcome.Refused)}, no answer {outcomes.GetValueOrDefault(SubmitOutcome.NoAnswer)})");
        foreach (var (reason, count) in run.Refusals.OrderByDescending(r => r.Value))
        {
            Console.WriteLine($"  refused: {count} × {reason}");
        }

        var noAnswerQueued = rows.Count(r => run.Submitted.GetValueOrDefault(r.Token) == SubmitOutcome.NoAnswer);
        var acceptedMissing = run.Submitted.Count(s => s.Value == SubmitOutcome.Accepted) - rows.Count(r => run.Submitted.GetValueOrDefault(r.Token) == SubmitOutcome.Accepted);
        Console.WriteLine($"generations in the hub: {rows.Count} ({noAnswerQueued} of them from requests that got no answer); accepted but missing: {acceptedMissing}");
        Expect(acceptedMissing == 0, $"{acceptedMissing} generation(s) the API accepted are not in the database");
        Console.WriteLine($"faults queued at the sandbox: {run.Faults.Values.Sum()} ({string.Join(", ", run.Faults.OrderByDescending(f => f.Value).Select(f => $"{f.Key} {f.Value}"))})");

        Console.WriteLine($"final states: {string.Join(", ", rows.GroupBy(r => r.Status).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))}");
        foreach (var provider in rows.GroupBy(r => r.Provider).OrderBy(g => g.Key))
        {
            Console.WriteLine($"  {provider.Key,-7} {string.Join(", ", provider.GroupBy(r => r.Status).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))}");
        }

        foreach (var reason in rows.Where(r => r.Status is "NeedsReview" or "Failed").GroupBy(r => $"{r.Status}: {r.ErrorCode}").OrderByDescending(g => g.Count()))
        {
            Console.WriteLine($"  {reason.Key} × {reason.Count()}");
        }

        Console.WriteLine($"not final after the drain: {unfinished}");
        Expect(unfinished == 0, $"{unfinished} generation(s) were not final {options.DrainFor.TotalSeconds:0} s after the load stopped");

        await CheckMoneyAsync(rows, ledger, ct);
        await CheckImagesAsync(db, ct);

        Console.WriteLine($"load average at the end: {SoakRun.LoadAverage()}");
        Console.WriteLine(broken.Count == 0 ? "RESULT: every invariant holds" : $"RESULT: BROKEN\n  - {string.Join("\n  - ", broken)}");
        return broken.Count == 0;
    }

    private void Expect(bool holds, string otherwise)
    {
        if (!holds)
        {
            broken.Add(otherwise);
        }
    }

    private async Task<int> DrainAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + options.DrainFor;
        while (true)
        {
            await using var db = new NpgsqlConnection(cluster.DatabaseConnection);
            await db.OpenAsync(ct);
            await using var count = new NpgsqlCommand("""SELECT count(*) FROM "Generations" WHERE "Status" = ANY(@s)""", db);
            count.Parameters.AddWithValue("s", Unfinished);
            var left = Convert.ToInt32(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            if (left == 0 || DateTime.UtcNow >= deadline)
            {
                run.Log(left == 0 ? "queue drained" : $"gave up waiting: {left} generation(s) not final");
                return left;
            }

            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
    }

    private static async Task<List<Row>> GenerationsAsync(NpgsqlConnection db, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand("""SELECT "Id", "Prompt", "Status", "ProviderId", "KeyId", "ErrorCode" FROM "Generations" """, db);
        await using var reader = await query.ExecuteReaderAsync(ct);
        var rows = new List<Row>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new Row(reader.GetGuid(0), TokenOf(reader.GetString(1)) ?? "", reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetGuid(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return rows;
    }

    private static async Task<Dictionary<Guid, Dictionary<string, decimal>>> LedgerAsync(NpgsqlConnection db, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand("""SELECT "GenerationId", "Kind", "Credits" FROM "LedgerEntries" """, db);
        await using var reader = await query.ExecuteReaderAsync(ct);
        var ledger = new Dictionary<Guid, Dictionary<string, decimal>>();
        while (await reader.ReadAsync(ct))
        {
            var entries = ledger.TryGetValue(reader.GetGuid(0), out var e) ? e : ledger[reader.GetGuid(0)] = [];
            entries[reader.GetString(1)] = reader.GetDecimal(2);
        }

        return ledger;
    }

    /// <summary>
    /// Double submissions, and the ledger against the sandbox: per generation (its settlement equals what the sandbox
    /// charged for its prompt, net of refunds; a generation in NeedsReview has neither settlement nor release, its
    /// reservation open, and what the sandbox charged for it is counted apart), then per key (the ledger's settlements plus
    /// the NeedsReview charges equal the account's charges net of refunds).
    /// </summary>
    private async Task CheckMoneyAsync(List<Row> rows, Dictionary<Guid, Dictionary<string, decimal>> ledger, CancellationToken ct)
    {
        using var control = new HttpClient { BaseAddress = cluster.SandboxRoot, Timeout = TimeSpan.FromSeconds(30) };
        var charges = new Dictionary<SoakKey, List<Charge>>();
        var accounts = new Dictionary<SoakKey, Account>();
        foreach (var key in run.Keys.OrderBy(k => k.Provider).ThenBy(k => k.Label))
        {
            var path = $"_control/accounts/{key.Provider}/{Uri.EscapeDataString(key.Secret)}";
            charges[key] = await control.GetFromJsonAsync<List<Charge>>(path + "/charges", Json, ct) ?? [];
            accounts[key] = await control.GetFromJsonAsync<Account>(path, Json, ct) ?? new Account(0, 0);
        }

        var byToken = charges.SelectMany(c => c.Value.Select(charge => (Key: c.Key, Charge: charge, Token: TokenOf(charge.Prompt) ?? "")))
            .ToLookup(c => c.Token);
        var rowsByToken = rows.ToLookup(r => r.Token);

        var doubles = byToken.Where(t => t.Count(c => c.Charge.Kind == "Accepted") > 1).Select(t => t.Key).ToList();
        Console.WriteLine($"double submissions: {doubles.Count} (generations the sandbox accepted more than once){(doubles.Count > 0 ? ": " + string.Join(", ", doubles.Take(10)) : "")}");
        Expect(doubles.Count == 0, $"{doubles.Count} double submission(s): {string.Join(", ", doubles.Take(10))}");
        var duplicateRows = rowsByToken.Count(g => g.Count() > 1);
        Expect(duplicateRows == 0, $"{duplicateRows} prompt(s) queued more than once by one API call");
        var unknown = byToken.Where(t => !rowsByToken.Contains(t.Key)).Select(t => t.Key).ToList();
        Console.WriteLine($"sandbox charges for no generation of the hub: {unknown.Count}");
        Expect(unknown.Count == 0, $"the sandbox charged {unknown.Count} prompt(s) the hub has no generation for: {string.Join(", ", unknown.Take(10))}");

        var keysById = run.Keys.ToDictionary(k => k.Id);
        var mismatches = new List<string>();
        var review = new Dictionary<SoakKey, decimal>();
        int reviewCharged = 0, reviewFree = 0;
        foreach (var row in rows)
        {
            var mine = byToken[row.Token].ToList();
            var net = mine.Sum(c => c.Charge.Kind == "Accepted" ? c.Charge.Credits : -c.Charge.Credits);
            var entries = ledger.GetValueOrDefault(row.Id) ?? [];
            var settled = entries.GetValueOrDefault("Settlement");
            if (row.KeyId is not { } keyId || !keysById.TryGetValue(keyId, out var key) || mine.Any(c => c.Key != key))
            {
                if (mine.Count > 0) mismatches.Add($"{row.Token} ({row.Provider}) was charged to another key than the one the hub recorded");
                continue;
            }

            if (row.Status == "NeedsReview")
            {
                if (entries.ContainsKey("Settlement") || entries.ContainsKey("Release"))
                {
                    mismatches.Add($"{row.Token} ({row.Provider}) is in NeedsReview but its reservation is already settled or released");
                }

                if (mine.Any(c => c.Charge.Kind == "Accepted")) reviewCharged++;
                else reviewFree++;
                review[key] = review.GetValueOrDefault(key) + net;
                continue;
            }

            if (Unfinished.Contains(row.Status))
            {
                continue; // reported as not final already
            }

            if (decimal.Round(settled, 4) != decimal.Round(net, 4) || (entries.ContainsKey("Settlement") == entries.ContainsKey("Release")))
            {
                mismatches.Add($"{row.Token} ({row.Provider}, {row.Status}): ledger {(entries.ContainsKey("Settlement") ? $"settled {settled}" : entries.ContainsKey("Release") ? "released" : "open")}, sandbox charged {net} net");
            }
        }

        Console.WriteLine($"NeedsReview: {reviewCharged + reviewFree} ({reviewCharged} accepted and charged by the sandbox for {review.Values.Sum():0.####} credits net, {reviewFree} never accepted); their reservations stay open until a person decides");
        Console.WriteLine("ledger versus sandbox charges, per key (credits; ledger settled + charged in NeedsReview = sandbox charged - refunded):");
        Console.WriteLine($"  {"provider",-8} {"key",-10} {"ledger",12} {"in review",10} {"sandbox",12} {"diff",8}");
        decimal totalLedger = 0, totalSandbox = 0;
        foreach (var key in accounts.Keys)
        {
            var settledForKey = rows.Where(r => r.KeyId == key.Id).Sum(r => ledger.GetValueOrDefault(r.Id)?.GetValueOrDefault("Settlement") ?? 0);
            var inReview = review.GetValueOrDefault(key);
            var sandboxNet = accounts[key].CreditsCharged - accounts[key].CreditsRefunded;
            var diff = sandboxNet - settledForKey - inReview;
            totalLedger += settledForKey;
            totalSandbox += sandboxNet;
            Console.WriteLine($"  {key.Provider,-8} {key.Label.Split(' ')[1],-10} {settledForKey,12:0.####} {inReview,10:0.####} {sandboxNet,12:0.####} {diff,8:0.####}");
            Expect(diff == 0, $"{key.Label}: the ledger settled {settledForKey} (+{inReview} in review) but the sandbox charged {sandboxNet} net");
        }

        Console.WriteLine($"  {"total",-19} {totalLedger,12:0.####} {review.Values.Sum(),10:0.####} {totalSandbox,12:0.####}");
        Console.WriteLine($"ledger mismatches per generation: {mismatches.Count}");
        foreach (var mismatch in mismatches.Take(20))
        {
            Console.WriteLine($"  {mismatch}");
        }

        Expect(mismatches.Count == 0, $"{mismatches.Count} generation(s) whose ledger does not match the sandbox's charges");
    }

    /// <summary>Every stored image, fetched through both instances: a 200 whose bytes hash to the stored SHA-256.</summary>
    private async Task CheckImagesAsync(NpgsqlConnection db, CancellationToken ct)
    {
        var images = new List<(Guid Id, string Sha256)>();
        await using (var query = new NpgsqlCommand("""SELECT "Id", "Sha256" FROM "GeneratedImages" """, db))
        await using (var reader = await query.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                images.Add((reader.GetGuid(0), reader.GetString(1)));
            }
        }

        var unreadable = 0;
        var examples = new List<string>();
        using var gate = new SemaphoreSlim(8);
        var fetches = new List<Task>();
        using var viaA = run.Api(0);
        using var viaB = run.Api(1);
        for (var instance = 0; instance < 2; instance++)
        {
            var http = instance == 0 ? viaA : viaB;
            foreach (var (id, sha) in images)
            {
                var name = Cluster.InstanceName(instance);
                fetches.Add(Task.Run(async () =>
                {
                    await gate.WaitAsync(ct);
                    try
                    {
                        using var response = await http.GetAsync($"images/{id}", ct);
                        var bytes = response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync(ct) : [];
                        if (!response.IsSuccessStatusCode || Convert.ToHexStringLower(SHA256.HashData(bytes)) != sha)
                        {
                            Interlocked.Increment(ref unreadable);
                            lock (examples) examples.Add($"{id} via {name}: {(int)response.StatusCode}");
                        }
                    }
                    catch (HttpRequestException e)
                    {
                        Interlocked.Increment(ref unreadable);
                        lock (examples) examples.Add($"{id} via {name}: {e.Message}");
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, ct));
            }
        }

        await Task.WhenAll(fetches);
        Console.WriteLine($"unreadable images: {unreadable} of {images.Count * 2} fetches ({images.Count} stored images, each through A and B, bytes checked against the stored SHA-256)");
        foreach (var example in examples.Take(10))
        {
            Console.WriteLine($"  {example}");
        }

        Expect(unreadable == 0, $"{unreadable} image fetch(es) failed or returned other bytes");
    }

    private static string? TokenOf(string prompt) => TokenPattern().Match(prompt) is { Success: true } m ? m.Value : null;

    [GeneratedRegex(@"soak-\d{6}")]
    private static partial Regex TokenPattern();
}
