using ImageHub.Sandbox;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Tests.Jobs;
using Microsoft.Data.Sqlite;

namespace ImageHub.Web.Tests.Security;

/// <summary>Issue 13, finding 3: a row a killed process left in Submitting does not stay there.</summary>
public sealed class StuckSubmissionTests
{
    [Fact]
    public async Task A_row_a_killed_process_left_in_Submitting_goes_to_review_when_its_short_lease_runs_out_without_another_restart()
    {
        await using var sandbox = await SandboxServer.StartAsync(o =>
        {
            o.KoalaReadyDelay = TimeSpan.Zero;
            o.QolabaTaskStepDelay = TimeSpan.Zero;
            o.KolboStepDelay = TimeSpan.Zero;
        }, TestContext.Current.CancellationToken);
        // The first submission never gets an answer: the process goes away while the POST is in flight.
        sandbox.State.EnqueueFault("kolbo", JobsHost.SandboxKey, new SandboxFault(SandboxFaultKind.Hang, OnlyPath: "generate"));
        var settings = JobsHost.Settings(new Dictionary<string, string?> { ["Jobs:SweepInterval"] = "00:00:00.100" });
        var first = JobsHost.Start(ImageHubApp.Create(DatabaseKind.Sqlite, settings), sandbox);
        var stuck = await first.SubmitAsync("kolbo");
        await first.WaitForAsync(stuck, "Submitting");
        await sandbox.WaitForRequestAsync("kolbo", "POST"); // the row says Submitting just before its POST leaves; the hang must take that POST, not the next one
        var restartedApp = first.App.Restart();
        await first.Factory.DisposeAsync();
        // A graceful stop gives its leases back; a killed process leaves its lease running. Put that back.
        var leaseLeftBehind = restartedApp.Clock.GetUtcNow() + TimeSpan.FromSeconds(20);
        await LeaveLeaseAsync(restartedApp.StorageRoot, leaseLeftBehind);

        await using var second = JobsHost.Start(restartedApp, sandbox);
        var other = await second.SubmitAsync("kolbo");
        await second.WaitForAsync(other); // the worker runs (its start-up sweep is behind it)
        var beforeExpiry = await second.GetAsync(stuck);
        restartedApp.Clock.Advance(TimeSpan.FromMinutes(1));
        var done = await second.WaitForAsync(stuck);

        Assert.Equal("Submitting", beforeExpiry.GetProperty("status").GetString());
        Assert.Equal("NeedsReview", done.GetProperty("status").GetString());
        Assert.Equal(2, sandbox.State.Requests.Count(r => r.Provider == "kolbo" && r.Method == "POST")); // the stuck one was never sent again
        await first.App.DisposeAsync();
    }

    private static async Task LeaveLeaseAsync(string storageRoot, DateTimeOffset until)
    {
        SqlitePool.Clear(storageRoot);
        await using var db = new SqliteConnection(SqlitePool.ConnectionString(storageRoot));
        await db.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new SqliteCommand("UPDATE Generations SET LeaseOwner = 'killed/1', LeaseUntil = $until WHERE Status = 'Submitting'", db);
        command.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
        Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        SqlitePool.Clear(storageRoot);
    }
}
