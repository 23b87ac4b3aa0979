using System.Net;
using System.Text.Json;
using ImageHub.Sandbox;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Spend;

namespace ImageHub.Web.Tests.Jobs;

/// <summary>Generations through the REST API against the sandbox, one provider at a time.</summary>
public sealed class GenerationFlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> AllProviders => new(JobsHost.Providers);

    public static TheoryData<string, DatabaseKind> AllProvidersOnBothDatabases =>
        new(JobsHost.Providers.SelectMany(p => new[] { (p, DatabaseKind.Sqlite), (p, DatabaseKind.Postgres) }));

    [Theory]
    [MemberData(nameof(AllProvidersOnBothDatabases))]
    public async Task A_generation_stores_its_images_serves_them_and_settles_exactly_what_the_provider_charged(string provider, DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind);

        var id = await host.SubmitAsync(provider, "a red fox in the snow, " + provider, numImages: 2, model: JobsHost.ModelFor(provider));
        var done = await host.WaitForAsync(id);

        Assert.Equal("Succeeded", done.GetProperty("status").GetString());
        var images = done.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(2, images.Count);
        foreach (var image in images)
        {
            using var full = await host.Api.GetAsync(image.GetProperty("url").GetString(), Ct);
            var bytes = await full.Content.ReadAsByteArrayAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, full.StatusCode);
            Assert.Equal(image.GetProperty("contentType").GetString(), full.Content.Headers.ContentType?.MediaType);
            Assert.True(bytes.Length > 100, "the stored image has content");
            Assert.Contains("immutable", full.Headers.CacheControl?.ToString());
            Assert.True(full.Headers.CacheControl!.Private);
            Assert.True(image.GetProperty("width").GetInt32() > 0 && image.GetProperty("height").GetInt32() > 0);
            using var thumb = await host.Api.GetAsync(image.GetProperty("thumbnailUrl").GetString(), Ct);
            Assert.Equal(HttpStatusCode.OK, thumb.StatusCode);
        }

        var account = host.Account(provider);
        var charged = account.CreditsCharged - account.CreditsRefunded;
        Assert.Equal(1, account.AcceptedSubmissions);
        Assert.True(charged > 0, "the sandbox charged something");
        Assert.Equal(charged, done.GetProperty("credits").GetDecimal());
        var ledger = await host.LedgerAsync(id);
        Assert.Equal(charged, Assert.Single(ledger, e => e.Kind == LedgerEntryKind.Settlement).Credits);
        Assert.Single(ledger, e => e.Kind == LedgerEntryKind.Reservation);
        Assert.DoesNotContain(ledger, e => e.Kind == LedgerEntryKind.Release);
        var spend = JsonDocument.Parse(await host.Api.GetStringAsync("/api/v1/spend?from=2026-01-01&to=2027-01-01", Ct)).RootElement;
        var line = Assert.Single(spend.GetProperty("providers").EnumerateArray());
        Assert.Equal(provider, line.GetProperty("provider").GetString());
        Assert.Equal(charged, line.GetProperty("credits").GetDecimal());
        Assert.Equal(2, line.GetProperty("images").GetInt32());
        Assert.Equal(1, line.GetProperty("generations").GetInt32());
    }

    [Theory]
    [MemberData(nameof(AllProviders))]
    public async Task An_exhausted_balance_fails_with_the_providers_reason_and_releases_the_reservation(string provider)
    {
        await using var host = JobsHost.Start();
        host.Sandbox.SetBalance(provider, JobsHost.SandboxKey, 0);

        var id = await host.SubmitAsync(provider, model: JobsHost.ModelFor(provider));
        var done = await host.WaitForAsync(id);

        Assert.Equal("Failed", done.GetProperty("status").GetString());
        Assert.Contains("out of credits", done.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(0m, done.GetProperty("credits").GetDecimal());
        var ledger = await host.LedgerAsync(id);
        Assert.Single(ledger, e => e.Kind == LedgerEntryKind.Reservation);
        Assert.Single(ledger, e => e.Kind == LedgerEntryKind.Release);
        Assert.DoesNotContain(ledger, e => e.Kind == LedgerEntryKind.Settlement);
        Assert.Equal(0m, host.Account(provider).CreditsCharged - host.Account(provider).CreditsRefunded);
    }

    [Fact]
    public async Task A_429_with_a_long_Retry_After_waits_in_the_queue_then_succeeds_with_one_accepted_submission()
    {
        await using var host = JobsHost.Start();
        host.Sandbox.EnqueueFault("coals", JobsHost.SandboxKey, new SandboxFault(SandboxFaultKind.RateLimited, RetryAfterSeconds: 120, OnlyPath: "generate"));

        var id = await host.SubmitAsync("coals");
        // Back in the queue with the provider's reason (or finished, which the asserts below reject).
        var waiting = await host.WaitUntilAsync(id, g => g.GetProperty("status").GetString() is var status
            && (status is "Succeeded" or "Failed" or "NeedsReview" || status == "Queued" && g.GetProperty("error").ValueKind == JsonValueKind.Object));
        host.App.Clock.Advance(TimeSpan.FromSeconds(121));
        var done = await host.WaitForAsync(id);

        Assert.Equal("Queued", waiting.GetProperty("status").GetString());
        Assert.Contains("rate limiting", waiting.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("Succeeded", done.GetProperty("status").GetString());
        Assert.Equal(1, host.Account("coals").AcceptedSubmissions);
        Assert.Equal(2, host.Sandbox.Requests.Count(r => r.Provider == "coals" && r.Method == "POST"));
    }

    [Fact]
    public async Task A_provider_that_drops_the_connection_after_accepting_leaves_the_generation_for_review_and_never_resends_it()
    {
        await using var host = JobsHost.Start();
        host.Sandbox.EnqueueFault("kolbo", JobsHost.SandboxKey, new SandboxFault(SandboxFaultKind.DropAfterAccept, OnlyPath: "generate"));

        var id = await host.SubmitAsync("kolbo");
        var done = await host.WaitForAsync(id);

        Assert.Equal("NeedsReview", done.GetProperty("status").GetString());
        Assert.Contains("Kolbo", done.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(1, host.Account("kolbo").AcceptedSubmissions);
        Assert.Equal(1, host.Sandbox.Requests.Count(r => r.Provider == "kolbo" && r.Method == "POST"));
        var ledger = await host.LedgerAsync(id);
        Assert.Equal(LedgerEntryKind.Reservation, Assert.Single(ledger).Kind); // open until a person decides
    }
}
