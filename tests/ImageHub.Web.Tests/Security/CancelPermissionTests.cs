using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Security;

/// <summary>Issue 13, finding 10: canceling someone else's generation is a permission question, answered 403.</summary>
public sealed class CancelPermissionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_member_canceling_an_admins_generation_gets_a_403_problem_saying_who_may_cancel()
    {
        await using var host = JobsHost.Start();
        var workspace = await host.App.InScopeAsync(async sp =>
            (await sp.GetRequiredService<Web.Features.Workspaces.WorkspaceDirectory>().ResolveAsync(await host.App.UserIdAsync(JobsHost.AdminEmail), null, Ct))!.WorkspaceId);
        var invite = await host.App.CreateInviteAsync(JobsHost.AdminEmail, workspace);
        using (var browser = host.App.CreateBrowser()) await browser.RegisterAsync("marco@example.com", Password, invite);
        var memberToken = await MemberTokenAsync(host, workspace);
        var adminsGeneration = await host.SubmitAsync("coals");

        using var member = host.Factory.CreateClient();
        member.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", memberToken);
        using var response = await member.PostAsync($"/api/v1/generations/{adminsGeneration}/cancel", null, Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Only the person who ran it, or a workspace Owner or Admin", problem.GetProperty("detail").GetString());
    }

    private static async Task<string> MemberTokenAsync(JobsHost host, Guid workspace)
    {
        string token = "";
        await host.App.InWorkspaceAsync("marco@example.com", workspace, async sp =>
        {
            var made = await sp.GetRequiredService<ApiTokenService>().CreateAsync(await host.App.UserIdAsync("marco@example.com"), sp.GetRequiredService<ApiTokenService>().Draft("member script"), Ct);
            Assert.True(made.Succeeded, made.Message);
            token = made.Value!.Token;
        });
        return token;
    }
}
