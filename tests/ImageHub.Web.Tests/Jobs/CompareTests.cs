using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Spend;
using ImageHub.Web.Features.Workspaces;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Jobs;

/// <summary>One prompt on all four providers at once (compare), as the composer submits it.</summary>
public sealed class CompareTests
{
    private static async Task<Outcome<QueuedGenerations>> SubmitAsAdminAsync(JobsHost host, GenerationDraft draft) =>
        await host.App.InScopeAsync(async sp =>
        {
            var admin = await host.App.UserIdAsync(JobsHost.AdminEmail);
            var membership = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(admin, null, TestContext.Current.CancellationToken);
            sp.GetRequiredService<CurrentWorkspace>().Set(membership!.WorkspaceId, membership.Role);
            return await sp.GetRequiredService<GenerationService>().SubmitAsync(admin, draft, TestContext.Current.CancellationToken);
        });

    [Fact]
    public async Task A_compare_across_all_four_providers_completes_each_and_settles_each_to_what_it_charged()
    {
        await using var host = JobsHost.Start();
        var runs = JobsHost.Providers.Select(p => new ProviderRun(p, JobsHost.ModelFor(p), 1, null)).ToList();

        var outcome = await SubmitAsAdminAsync(host, new GenerationDraft("a glass teapot on a wooden table", runs));
        var results = new List<System.Text.Json.JsonElement>();
        Assert.True(outcome.Succeeded, outcome.Message);
        var queued = outcome.Value!;
        foreach (var id in queued.GenerationIds) results.Add(await host.WaitForAsync(id));

        Assert.NotNull(queued.BatchId);
        Assert.Equal(4, queued.GenerationIds.Count);
        Assert.Equal(JobsHost.Providers, results.Select(r => r.GetProperty("provider").GetString()));
        foreach (var result in results)
        {
            var provider = result.GetProperty("provider").GetString()!;
            Assert.Equal("Succeeded", result.GetProperty("status").GetString());
            Assert.Equal(queued.BatchId, result.GetProperty("batchId").GetGuid());
            Assert.Single(result.GetProperty("images").EnumerateArray());
            var account = host.Account(provider);
            var settled = (await host.LedgerAsync(result.GetProperty("id").GetGuid())).Single(e => e.Kind == LedgerEntryKind.Settlement);
            Assert.Equal(account.CreditsCharged - account.CreditsRefunded, settled.Credits);
        }
        Assert.Equal(0.005m * host.Account("qolaba").CreditsCharged, results[1].GetProperty("costUsd").GetDecimal());
        Assert.Equal(0.01m * host.Account("coals").CreditsCharged, results[2].GetProperty("costUsd").GetDecimal());
    }

    [Fact]
    public async Task A_compare_with_one_bad_option_queues_nothing_and_names_the_provider_and_field()
    {
        await using var host = JobsHost.Start();
        var runs = new List<ProviderRun>
        {
            new("koala", null, 1, null),
            new("kolbo", null, 1, ImageHub.Providers.GenerationRequest.OptionsFrom(("aspect_ratio", "7:3000"))),
        };

        var outcome = await SubmitAsAdminAsync(host, new GenerationDraft("a glass teapot", runs));

        Assert.Null(outcome.Value);
        Assert.Equal(FailureKind.Invalid, outcome.Failure?.Kind);
        var error = Assert.Single(outcome.Failure!.Fields);
        Assert.Equal("kolbo.options.aspect_ratio", error.Field);
        Assert.Equal(0, await host.InDatabaseAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
            Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.IgnoreQueryFilters(db.Set<Generation>()), TestContext.Current.CancellationToken)));
        Assert.Equal(0, host.Account("koala").AcceptedSubmissions);
    }
}
