using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Tests.Jobs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Security;

/// <summary>
/// Security finding 9 / item 7: API tokens expire (90 days unless picked otherwise) and carry scopes; each endpoint
/// declares the scope it needs and a token without it gets a 403 problem naming it.
/// </summary>
public sealed class ApiTokenScopeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> TokenAsync(JobsHost host, Func<ApiTokenService, ApiTokenDraft> draft)
    {
        var admin = await host.App.UserIdAsync(JobsHost.AdminEmail);
        return await host.App.InScopeAsync(async sp =>
        {
            var membership = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(admin, null, Ct);
            sp.GetRequiredService<CurrentWorkspace>().Set(membership!.WorkspaceId, membership.Role);
            var tokens = sp.GetRequiredService<ApiTokenService>();
            var made = await tokens.CreateAsync(admin, draft(tokens), Ct);
            Assert.True(made.Succeeded, made.Message);
            return made.Value!.Token;
        });
    }

    private static HttpClient Client(JobsHost host, string token)
    {
        var client = host.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString()!;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_read_only_token_reads_but_gets_a_403_problem_naming_the_missing_scope_when_it_generates_or_lists_keys()
    {
        await using var host = JobsHost.Start();
        var done = await host.WaitForAsync(await host.SubmitAsync("coals"));
        var imageUrl = done.GetProperty("images")[0].GetProperty("url").GetString()!;
        using var reader = Client(host, await TokenAsync(host, t => t.Draft("dashboard", ApiScopes.Read)));
        var queuedBefore = await host.InDatabaseAsync(db => db.Set<Generation>().IgnoreQueryFilters().CountAsync(Ct));

        using var providers = await reader.GetAsync("/api/v1/providers", Ct);
        using var image = await reader.GetAsync(imageUrl, Ct);
        using var generate = await reader.PostAsync("/api/v1/generations", Json("""{"prompt":"a fox","provider":"coals"}"""), Ct);
        using var keys = await reader.GetAsync("/api/v1/keys", Ct);
        var generateProblem = JsonDocument.Parse(await generate.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.OK, providers.StatusCode);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, generate.StatusCode);
        Assert.Equal("application/problem+json", generate.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"generate\" scope", generateProblem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, keys.StatusCode);
        Assert.Contains("\"keys\" scope", await DetailAsync(keys));
        Assert.Equal(queuedBefore, await host.InDatabaseAsync(db => db.Set<Generation>().IgnoreQueryFilters().CountAsync(Ct)));
    }

    [Fact]
    public async Task A_generate_only_token_queues_but_cannot_read_spend_or_generations()
    {
        await using var host = JobsHost.Start();
        using var runner = Client(host, await TokenAsync(host, t => t.Draft("renderer", ApiScopes.Generate)));

        using var queued = await runner.PostAsync("/api/v1/generations", Json("""{"prompt":"a fox","provider":"coals"}"""), Ct);
        using var spend = await runner.GetAsync("/api/v1/spend", Ct);
        using var list = await runner.GetAsync("/api/v1/generations", Ct);

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, spend.StatusCode);
        Assert.Contains("\"read\" scope", await DetailAsync(spend));
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
    }

    [Fact]
    public async Task A_new_token_lasts_90_days_by_default_and_then_answers_401_saying_it_expired()
    {
        await using var host = JobsHost.Start();
        using var client = Client(host, await TokenAsync(host, t => t.Draft("nightly")));

        using var fresh = await client.GetAsync("/api/v1/providers", Ct);
        host.App.Clock.Advance(TimeSpan.FromDays(89));
        using var day89 = await client.GetAsync("/api/v1/providers", Ct);
        host.App.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        using var day90 = await client.GetAsync("/api/v1/providers", Ct);
        var body = await day90.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, day89.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, day90.StatusCode);
        Assert.Contains("expired on", body);
        Assert.Contains("/settings/tokens", body);
    }

    [Fact]
    public async Task A_token_without_expiry_keeps_working_and_the_bootstrap_token_holds_every_scope()
    {
        await using var host = JobsHost.Start();
        using var forever = Client(host, await TokenAsync(host, t => new ApiTokenDraft("forever", ApiScopes.Read, null)));
        host.App.Clock.Advance(TimeSpan.FromDays(3 * 365));

        using var read = await forever.GetAsync("/api/v1/providers", Ct);
        using var keys = await host.Api.GetAsync("/api/v1/keys", Ct); // JobsHost's client holds Bootstrap:ApiToken

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
    }

    [Fact]
    public async Task A_token_with_no_scope_or_an_expiry_in_the_past_is_refused_with_the_field_named()
    {
        await using var host = JobsHost.Start();
        var admin = await host.App.UserIdAsync(JobsHost.AdminEmail);
        var (noScope, past) = await host.App.InScopeAsync(async sp =>
        {
            var membership = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(admin, null, Ct);
            sp.GetRequiredService<CurrentWorkspace>().Set(membership!.WorkspaceId, membership.Role);
            var tokens = sp.GetRequiredService<ApiTokenService>();
            return (await tokens.CreateAsync(admin, tokens.Draft("nothing", ApiScopes.None), Ct),
                await tokens.CreateAsync(admin, new ApiTokenDraft("late", ApiScopes.Read, host.App.Clock.GetUtcNow().AddMinutes(-1)), Ct));
        });

        Assert.Contains("scopes", noScope.Errors.Keys);
        Assert.Contains("expiresAt", past.Errors.Keys);
        Assert.Equal(0, await host.InDatabaseAsync(db => db.Set<ApiToken>().IgnoreQueryFilters().CountAsync(t => t.Name == "nothing" || t.Name == "late", Ct)));
    }

    [Fact]
    public async Task Every_endpoint_a_token_can_reach_declares_its_scope_and_the_openapi_document_names_it()
    {
        await using var host = JobsHost.Start();
        var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true
                || e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is ApiPolicies.ApiUser or ApiPolicies.ApiAdmin))
            .ToList();

        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/images/{id:guid}"); // the URLs the API hands out are covered too
        var undeclared = endpoints.Where(e => e.Metadata.GetMetadata<ApiScopeMetadata>() is null).Select(e => e.DisplayName).ToList();
        Assert.Empty(undeclared);
        var openApi = await host.Api.GetStringAsync("/openapi/v1.json", Ct);
        Assert.Contains("API tokens need the `generate` scope.", openApi);
        Assert.Contains("API tokens need the `keys` scope.", openApi);
    }

    [Fact]
    public async Task The_signed_in_cookie_is_not_a_token_and_is_not_limited_by_scopes()
    {
        await using var host = JobsHost.Start();
        using var browser = host.App.CreateBrowser();
        await browser.LoginAsync(JobsHost.AdminEmail, Arrange.Password);

        var keys = await browser.GetAsync("/api/v1/keys");

        Assert.Equal(HttpStatusCode.OK, keys.Status);
    }
}
