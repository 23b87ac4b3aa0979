using System.Data.Common;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Jobs;

/// <summary>
/// One circuit (one DI scope) does two things at once: a Cancel clicked while a Run is still being stored.
/// With one scoped DbContext shared by the services this overlapped on it ("a second operation was started
/// on this context"); every call now takes a context of its own.
/// </summary>
public sealed class CircuitOverlapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cancel_clicked_while_a_run_is_being_stored_in_the_same_circuit_cancels_and_the_run_is_still_queued()
    {
        var gate = new PriceReadGate();
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, JobsHost.Settings(new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" }));
        await using var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IInterceptor>(gate)));
        var (userId, workspaceId) = await AdminAndWorkspaceAsync(host.Services);

        await using var circuit = host.Services.CreateAsyncScope();
        using var _ = circuit.ServiceProvider.GetRequiredService<CurrentWorkspace>().Use(workspaceId, WorkspaceRole.Owner);
        var generations = circuit.ServiceProvider.GetRequiredService<GenerationService>();
        var earlier = await generations.SubmitAsync(userId, Draft("an earlier run"), Ct);
        Assert.True(earlier.Succeeded, earlier.Message);

        gate.Arm();
        var run = generations.SubmitAsync(userId, Draft("the run being stored"), Ct);
        await gate.Entered.WaitAsync(Ct);
        var canceled = await generations.CancelAsync(earlier.Value!.GenerationIds[0], Ct);
        gate.Release();
        var stored = await run;

        Assert.True(canceled.Succeeded, canceled.Message);
        Assert.True(stored.Succeeded, stored.Message);
        await using var check = host.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<AppDbContext>();
        var statuses = await db.Set<Generation>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AsNoTracking()
            .ToDictionaryAsync(g => g.Id, g => g.Status, Ct);
        Assert.Equal(GenerationStatus.Canceled, statuses[earlier.Value!.GenerationIds[0]]);
        Assert.Equal(GenerationStatus.Queued, statuses[stored.Value!.GenerationIds[0]]);
    }

    private static GenerationDraft Draft(string prompt) => new(prompt, [new ProviderRun("coals", null, null, null)]);

    private static async Task<(Guid User, Guid Workspace)> AdminAndWorkspaceAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(JobsHost.AdminEmail);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var workspace = await db.Workspaces.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).SingleAsync(w => w.Name == "Studio", Ct);
        return (user!.Id, workspace.Id);
    }

    /// <summary>
    /// Once armed, holds the run half-way through being stored (where it reads the price to reserve, before it writes)
    /// until released: the moment the other click lands.
    /// </summary>
    private sealed class PriceReadGate : DbCommandInterceptor
    {
        private readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int armed;

        public Task Entered => entered.Task;
        public void Arm() => Interlocked.Exchange(ref armed, 1);
        public void Release() => released.TrySetResult();

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await HoldAsync(command);
            return result;
        }

        private async Task HoldAsync(DbCommand command)
        {
            if (!command.CommandText.Contains("FROM \"PriceSettings\"", StringComparison.Ordinal)) return;
            if (Interlocked.Exchange(ref armed, 0) != 1) return;
            entered.TrySetResult();
            await released.Task;
        }
    }
}

/// <summary>Which classes may hold the scoped DbContext: only those that never run in a circuit.</summary>
public sealed class ContextLifetimeTests
{
    [Fact]
    public void Only_the_worker_runner_and_the_token_handler_take_the_scoped_context_everything_else_takes_the_factory()
    {
        var holders = typeof(AppDbContext).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && !typeof(DbContext).IsAssignableFrom(t))
            .Where(t => t.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(AppDbContext))))
            .Select(t => t.Name)
            .Order()
            .ToList();

        // GenerationRunner: one job in a DI scope of the worker's own. ApiTokenAuthentication: one HTTP request.
        Assert.Equal(["ApiTokenAuthentication", "GenerationRunner"], holders);
    }
}
