using Bunit;
using ImageHub.Web.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace ImageHub.Web.Tests.Ui;

/// <summary>
/// Pages that load as they open (LeavableComponent): a load that fails because the tab was closed under it (the circuit's
/// services disposed) is dropped; the same failure on a page still open is reported as before.
/// </summary>
public sealed class LeavableComponentTests
{
    /// <summary>Loads until <see cref="Gate"/> opens, then fails as a disposed service would.</summary>
    private sealed class SlowPage : LeavableComponent
    {
        [Parameter] public Task Gate { get; set; } = Task.CompletedTask;
        public Task? Opening { get; private set; }
        public bool SawLeaving { get; private set; }

        public override Task SetParametersAsync(ParameterView parameters) => Opening = base.SetParametersAsync(parameters);

        protected override async Task OnInitializedAsync()
        {
            await Gate;
            SawLeaving = Leaving.IsCancellationRequested;
            throw new ObjectDisposedException("IServiceProvider");
        }
    }

    [Fact]
    public async Task A_load_that_fails_after_the_tab_closed_is_dropped_and_saw_the_leaving_token()
    {
        await using var context = new BunitContext();
        var gate = new TaskCompletionSource();
        var page = context.Render<SlowPage>(p => p.Add(c => c.Gate, gate.Task)).Instance;

        await context.DisposeComponentsAsync(); // the tab closes mid-load
        gate.SetResult();
        var opening = page.Opening!;
        await opening.WaitAsync(TimeSpan.FromMinutes(1), Xunit.TestContext.Current.CancellationToken); // a hang guard

        Assert.True(opening.IsCompletedSuccessfully);
        Assert.True(page.SawLeaving);
        Assert.False(context.Renderer.UnhandledException.IsCompleted);
    }

    [Fact]
    public async Task The_same_failure_on_a_page_still_open_is_reported()
    {
        await using var context = new BunitContext();
        var gate = new TaskCompletionSource();
        var page = context.Render<SlowPage>(p => p.Add(c => c.Gate, gate.Task)).Instance;

        gate.SetResult();
        var reported = await context.Renderer.UnhandledException.WaitAsync(TimeSpan.FromMinutes(1), Xunit.TestContext.Current.CancellationToken);

        Assert.IsType<ObjectDisposedException>(reported);
        Assert.False(page.SawLeaving);
    }
}
