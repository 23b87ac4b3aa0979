using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Workspaces;
using ImageHub.Web.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Api;

/// <summary>The REST API's contract as a script sees it: tokens, problem details, per-field validation.</summary>
public sealed class ApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(JobsHost host, string json)
    {
        var response = await host.Api.PostAsync("/api/v1/generations", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private static string[] Messages(JsonElement problem, string field) =>
        problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task An_unknown_option_is_a_validation_error_on_that_field_not_silently_dropped()
    {
        await using var host = JobsHost.Start();

        var (status, problem, response) = await PostAsync(host, """{"prompt":"a cat","provider":"koala","options":{"style":"anime","colour":"blue"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("colour", Assert.Single(Messages(problem, "options.colour")));
        Assert.Equal(0, host.Account("koala").AcceptedSubmissions);
    }

    [Fact]
    public async Task Out_of_range_values_and_an_unknown_provider_get_per_field_messages()
    {
        await using var host = JobsHost.Start();

        var (tooMany, manyProblem, _) = await PostAsync(host, """{"prompt":"a cat","provider":"coals","numImages":9,"options":{"width":100}}""");
        var (unknown, unknownProblem, _) = await PostAsync(host, """{"prompt":"a cat","provider":"dalle"}""");
        var (empty, emptyProblem, _) = await PostAsync(host, """{"prompt":"  ","provider":"kolbo"}""");

        Assert.Equal(HttpStatusCode.BadRequest, tooMany);
        Assert.NotEmpty(Messages(manyProblem, "numImages"));
        Assert.NotEmpty(Messages(manyProblem, "options.width"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        Assert.Contains("koala, qolaba, coals, kolbo", Assert.Single(Messages(unknownProblem, "provider")));
        Assert.Equal(HttpStatusCode.BadRequest, empty);
        Assert.NotEmpty(Messages(emptyProblem, "prompt"));
    }

    [Fact]
    public async Task An_unbounded_option_list_is_a_400_naming_the_field_and_nothing_is_stored_or_sent()
    {
        await using var host = JobsHost.Start();
        var urls = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"\"https://example.com/{i}.png\""));

        var (status, problem, response) = await PostAsync(host, $$$"""{"prompt":"edit","provider":"qolaba","model":"vertex/nano-banana-pro","options":{"image_urls":[{{{urls}}}]}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 16", Assert.Single(Messages(problem, "options.image_urls")));
        Assert.Equal(0, host.Account("qolaba").AcceptedSubmissions);
    }

    [Fact]
    public async Task Malformed_json_a_wrongly_typed_value_and_an_unknown_top_level_field_are_400_problems_not_500s()
    {
        await using var host = JobsHost.Start();

        var (broken, brokenProblem, _) = await PostAsync(host, """{"prompt": "a cat", "provider": """);
        var (typed, typedProblem, _) = await PostAsync(host, """{"prompt":"a cat","provider":"koala","numImages":"two"}""");
        var (extra, extraProblem, _) = await PostAsync(host, """{"prompt":"a cat","provider":"koala","size":"1024x1024"}""");

        Assert.Equal(HttpStatusCode.BadRequest, broken);
        Assert.NotEmpty(Messages(brokenProblem, "body"));
        Assert.Equal(HttpStatusCode.BadRequest, typed);
        Assert.NotEmpty(Messages(typedProblem, "numImages"));
        Assert.Equal(HttpStatusCode.BadRequest, extra);
        Assert.Contains("not part of the request", Assert.Single(Messages(extraProblem, "size")));
    }

    [Fact]
    public async Task Without_a_token_or_with_an_unknown_one_the_api_answers_401_with_a_problem_saying_why()
    {
        await using var host = JobsHost.Start();
        using var anonymous = host.Factory.CreateClient();
        using var wrong = host.Factory.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ihp_not_a_real_token_at_all");

        using var none = await anonymous.GetAsync("/api/v1/generations", Ct);
        using var bad = await wrong.GetAsync("/api/v1/generations", Ct);
        var badBody = await bad.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not known", badBody);
        Assert.DoesNotContain("ihp_not_a_real_token_at_all", badBody);
    }

    [Fact]
    public async Task A_revoked_token_stops_working_and_a_new_one_works_in_its_own_workspace()
    {
        await using var host = JobsHost.Start();
        var admin = await host.App.UserIdAsync(JobsHost.AdminEmail);
        var (created, tokenId) = await host.App.InScopeAsync(async sp =>
        {
            var membership = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(admin, null, Ct);
            sp.GetRequiredService<CurrentWorkspace>().Set(membership!.WorkspaceId, membership.Role);
            var made = await sp.GetRequiredService<ApiTokenService>().CreateAsync(admin, sp.GetRequiredService<ApiTokenService>().Draft("ci script"), Ct);
            Assert.True(made.Succeeded, made.Message);
            return (made.Value!.Token, made.Value.View.Id);
        });
        using var client = host.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created);

        using var before = await client.GetAsync("/api/v1/providers", Ct);
        await host.App.InScopeAsync(async sp =>
        {
            var membership = await sp.GetRequiredService<WorkspaceDirectory>().ResolveAsync(admin, null, Ct);
            sp.GetRequiredService<CurrentWorkspace>().Set(membership!.WorkspaceId, membership.Role);
            Assert.True((await sp.GetRequiredService<ApiTokenService>().RevokeAsync(admin, tokenId, Ct)).Succeeded);
        });
        using var after = await client.GetAsync("/api/v1/providers", Ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", await after.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Another_workspaces_token_gets_404_for_this_workspaces_generation_and_image()
    {
        await using var host = JobsHost.Start();
        var id = await host.SubmitAsync("coals");
        var done = await host.WaitForAsync(id);
        var imageUrl = done.GetProperty("images")[0].GetProperty("url").GetString()!;
        var admin = await host.App.UserIdAsync(JobsHost.AdminEmail);
        var otherWorkspace = await host.App.CreateWorkspaceAsync(JobsHost.AdminEmail, "Elsewhere");
        var otherToken = await host.App.InScopeAsync(async sp =>
        {
            sp.GetRequiredService<CurrentWorkspace>().Set(otherWorkspace, WorkspaceRole.Owner);
            return (await sp.GetRequiredService<ApiTokenService>().CreateAsync(admin, sp.GetRequiredService<ApiTokenService>().Draft("elsewhere"), Ct)).Value!.Token;
        });
        using var other = host.Factory.CreateClient();
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", otherToken);

        using var generation = await other.GetAsync($"/api/v1/generations/{id}", Ct);
        using var image = await other.GetAsync(imageUrl, Ct);
        using var own = await host.Api.GetAsync(imageUrl, Ct);

        Assert.Equal(HttpStatusCode.NotFound, generation.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, image.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Generations_list_newest_first_in_pages_that_follow_the_cursor(DatabaseKind kind)
    {
        await using var host = JobsHost.Start(kind);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await host.SubmitAsync("coals", $"prompt number {i}"));
            host.App.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var first = JsonDocument.Parse(await host.Api.GetStringAsync("/api/v1/generations?limit=2", Ct)).RootElement;
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = JsonDocument.Parse(await host.Api.GetStringAsync($"/api/v1/generations?limit=2&cursor={cursor}", Ct)).RootElement;
        var third = JsonDocument.Parse(await host.Api.GetStringAsync($"/api/v1/generations?limit=2&cursor={second.GetProperty("nextCursor").GetString()}", Ct)).RootElement;
        using var badLimit = await host.Api.GetAsync("/api/v1/generations?limit=1000", Ct);
        using var badCursor = await host.Api.GetAsync("/api/v1/generations?cursor=nonsense", Ct);

        var seen = new[] { first, second, third }.SelectMany(p => p.GetProperty("items").EnumerateArray().Select(g => g.GetProperty("id").GetGuid())).ToList();
        Assert.Equal(Enumerable.Reverse(ids), seen);
        Assert.Equal(JsonValueKind.Null, third.GetProperty("nextCursor").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_v1_routes_and_providers_lists_each_capability()
    {
        await using var host = JobsHost.Start();

        var openApi = await host.Api.GetStringAsync("/openapi/v1.json", Ct);
        var providers = JsonDocument.Parse(await host.Api.GetStringAsync("/api/v1/providers", Ct)).RootElement;

        foreach (var route in new[] { "/api/v1/generations", "/api/v1/generations/{id}", "/api/v1/providers", "/api/v1/spend" })
        {
            Assert.Contains($"\"{route}\"", openApi);
        }
        Assert.Equal(JobsHost.Providers, providers.EnumerateArray().Select(p => p.GetProperty("providerId").GetString()));
        var koalaOptions = providers[0].GetProperty("options").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
        Assert.Contains("style", koalaOptions);
        Assert.Contains("size", koalaOptions);
    }

    [Fact]
    public async Task A_missing_key_outside_sandbox_mode_is_a_400_naming_the_key_and_where_to_add_it()
    {
        await using var host = JobsHost.Start(extra: new Dictionary<string, string?> { ["Sandbox:Enabled"] = "false" });

        var (status, problem, _) = await PostAsync(host, """{"prompt":"a cat","provider":"kolbo"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Kolbo", Assert.Single(Messages(problem, "key")));
        Assert.Contains("Keys", Messages(problem, "key")[0]);
    }

    [Fact]
    public async Task A_signed_in_member_sees_their_tokens_by_prefix_only_and_reads_images_with_the_cookie()
    {
        await using var host = JobsHost.Start();
        var id = await host.SubmitAsync("koala");
        var imageUrl = (await host.WaitForAsync(id)).GetProperty("images")[0].GetProperty("url").GetString()!;
        using var browser = host.App.CreateBrowser();
        await browser.LoginAsync(JobsHost.AdminEmail, Arrange.Password);

        var page = await browser.GetAsync("/settings/tokens");
        using var image = await browser.Http.GetAsync(imageUrl, Ct);
        using var anonymousImage = await host.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false })
            .GetAsync(imageUrl, Ct);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("Bootstrap token", page.Text);
        Assert.Contains(JobsHost.Token[..6], page.Text);
        Assert.DoesNotContain(JobsHost.Token, page.Html);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual(HttpStatusCode.OK, anonymousImage.StatusCode);
    }

    [Fact]
    public async Task Canceling_a_queued_generation_sends_nothing_and_releases_its_reservation()
    {
        // No worker in this instance: the generation stays queued until canceled.
        await using var host = JobsHost.Start(extra: new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        var id = await host.SubmitAsync("kolbo");

        using var cancel = await host.Api.PostAsync($"/api/v1/generations/{id}/cancel", null, Ct);
        using var again = await host.Api.PostAsync($"/api/v1/generations/{id}/cancel", null, Ct);
        var after = await host.GetAsync(id);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("Canceled", after.GetProperty("status").GetString());
        var ledger = await host.LedgerAsync(id);
        Assert.Contains(ledger, e => e.Kind == ImageHub.Web.Features.Spend.LedgerEntryKind.Release);
        Assert.DoesNotContain(ledger, e => e.Kind == ImageHub.Web.Features.Spend.LedgerEntryKind.Settlement);
        Assert.DoesNotContain(host.Sandbox.Requests, r => r.Provider == "kolbo" && r.Method == "POST");
    }
}
