using ImageHub.Sandbox;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Spend;

namespace ImageHub.Web.Tests.Jobs;

/// <summary>
/// The app stops and starts over the same database while a provider works. The sandbox runs outside the
/// app here, so the provider keeps its state across the restart, as a real one does.
/// </summary>
public sealed class RestartTests
{
    private static Task<SandboxServer> OutsideSandboxAsync() => SandboxServer.StartAsync(o =>
    {
        o.KoalaReadyDelay = TimeSpan.Zero;
        o.QolabaTaskStepDelay = TimeSpan.Zero;
        o.KolboStepDelay = TimeSpan.Zero;
    }, TestContext.Current.CancellationToken);

    [Theory]
    [InlineData("kolbo")]
    [InlineData("qolaba")]
    public async Task A_restart_while_running_resumes_polling_and_completes_with_exactly_one_submission(string provider)
    {
        await using var sandbox = await OutsideSandboxAsync();
        // The first status poll never answers: the generation is accepted (handle stored) and still running when the app stops.
        sandbox.State.EnqueueFault(provider, JobsHost.SandboxKey, new SandboxFault(SandboxFaultKind.Hang, OnlyPath: "status"));
        var first = JobsHost.Start(ImageHubApp.Create(DatabaseKind.Sqlite, JobsHost.Settings()), sandbox);
        var id = await first.SubmitAsync(provider, model: JobsHost.ModelFor(provider), options: provider == "qolaba" ? new { celery = true } : null); // Qolaba's task mode
        var running = await first.WaitForAsync(id, "Running", "Succeeded", "Failed", "NeedsReview");
        await sandbox.WaitForRequestAsync(provider, "GET");
        var restartedApp = first.App.Restart();
        await first.Factory.DisposeAsync();

        await using var second = JobsHost.Start(restartedApp, sandbox);
        var done = await second.WaitForAsync(id);

        Assert.Equal("Running", running.GetProperty("status").GetString());
        Assert.Equal("Succeeded", done.GetProperty("status").GetString());
        Assert.NotEmpty(done.GetProperty("images").EnumerateArray());
        Assert.Equal(1, sandbox.State.Account(provider, JobsHost.SandboxKey).AcceptedSubmissions);
        Assert.Equal(1, sandbox.State.Requests.Count(r => r.Provider == provider && r.Method == "POST"));
        var ledger = await second.LedgerAsync(id);
        var account = sandbox.State.Account(provider, JobsHost.SandboxKey);
        Assert.Equal(account.CreditsCharged - account.CreditsRefunded, Assert.Single(ledger, e => e.Kind == LedgerEntryKind.Settlement).Credits);
        await first.App.DisposeAsync();
    }

    [Fact]
    public async Task A_stop_in_the_middle_of_sending_ends_in_review_on_the_next_start_and_is_never_sent_again()
    {
        await using var sandbox = await OutsideSandboxAsync();
        // The submission never gets an answer: the app stops while the POST is in flight.
        sandbox.State.EnqueueFault("kolbo", JobsHost.SandboxKey, new SandboxFault(SandboxFaultKind.Hang, OnlyPath: "generate"));
        var first = JobsHost.Start(ImageHubApp.Create(DatabaseKind.Sqlite, JobsHost.Settings()), sandbox);
        var id = await first.SubmitAsync("kolbo");
        await first.WaitForAsync(id, "Submitting");
        await sandbox.WaitForRequestAsync("kolbo", "POST");
        var restartedApp = first.App.Restart();
        await first.Factory.DisposeAsync();

        await using var second = JobsHost.Start(restartedApp, sandbox);
        var done = await second.WaitForAsync(id);

        Assert.Equal("NeedsReview", done.GetProperty("status").GetString());
        Assert.Equal("The app stopped while sending this to Kolbo; it may have been accepted. Check Kolbo's dashboard before running it again.",
            done.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(1, sandbox.State.Requests.Count(r => r.Provider == "kolbo" && r.Method == "POST"));
        await first.App.DisposeAsync();
    }
}
