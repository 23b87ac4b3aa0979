using ImageHub.Web.Features.Spend;

namespace ImageHub.Web.Tests.Jobs;

/// <summary>Canceling a generation the provider is working on: one cancel reaches the provider, and the hub stops polling it.</summary>
public sealed class CancelTests
{
    [Fact]
    public async Task Canceling_a_running_Kolbo_generation_sends_one_cancel_at_once_and_polls_it_no_more()
    {
        // Kolbo hints a poll every 10 minutes here: only a cancel that wakes the runner can end this within the test.
        await using var host = JobsHost.Start(extra: new Dictionary<string, string?>
        {
            ["Sandbox:KolboStepDelay"] = "00:10:00",
            ["Jobs:MaxPollDelay"] = "01:00:00",
        });
        var id = await host.SubmitAsync("kolbo", "a lighthouse that never finishes");
        await host.WaitForAsync(id, "Running");

        using var canceled = await host.Api.PostAsync($"/api/v1/generations/{id}/cancel", null, TestContext.Current.CancellationToken);
        var done = await host.WaitForAsync(id);
        var requests = host.Sandbox.Requests.Where(r => r.Provider == "kolbo").ToList();
        var cancels = requests.FindAll(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/cancel", StringComparison.Ordinal));

        Assert.True(canceled.IsSuccessStatusCode, await canceled.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Canceled", done.GetProperty("status").GetString());
        var cancel = Assert.Single(cancels);
        var task = cancel.PathAndQuery.Split('/')[^2];
        Assert.DoesNotContain(requests.Skip(requests.IndexOf(cancel) + 1), r => r.PathAndQuery.Contains(task, StringComparison.Ordinal));
        var account = host.Account("kolbo");
        Assert.Equal(0, account.CreditsCharged - account.CreditsRefunded); // Kolbo refunded it
        var ledger = await host.LedgerAsync(id);
        Assert.Contains(ledger, e => e.Kind == LedgerEntryKind.Release); // and no settlement: nothing was spent
        Assert.DoesNotContain(ledger, e => e.Kind == LedgerEntryKind.Settlement);
    }
}
