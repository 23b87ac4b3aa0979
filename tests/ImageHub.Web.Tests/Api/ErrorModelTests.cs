using System.Net;
using System.Text;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Tests.Jobs;

namespace ImageHub.Web.Tests.Api;

/// <summary>
/// One error model for the whole API: every failure is an RFC 7807 problem, every body is read with one strictness,
/// and the OpenAPI document lists every outcome an endpoint can have.
/// </summary>
public sealed class ErrorModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> JsonEndpoints => new()
    {
        { "/api/v1/generations", """{"prompt":"a cat","provider":"koala","colour":"blue"}""" },
        { "/api/v1/keys", """{"provider":"kolbo","label":"ok","secret":"kolbo_live_x","colour":"blue"}""" },
    };

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task Every_endpoint_refuses_an_unknown_field_with_a_400_problem_naming_it(string path, string body)
    {
        await using var host = JobsHost.Start();

        using var response = await host.Api.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"colour\" is not part of the request", Assert.Single(problem.GetProperty("errors").GetProperty("colour").EnumerateArray()).GetString());
        Assert.True(problem.TryGetProperty("traceId", out _), "a problem carries a traceId to quote");
    }

    [Fact]
    public async Task A_parameter_that_cannot_be_read_is_a_400_problem_naming_it_not_an_empty_400()
    {
        await using var host = JobsHost.Start();

        using var response = await host.Api.GetAsync("/api/v1/generations?limit=many", Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty(problem.GetProperty("errors").GetProperty("limit").EnumerateArray());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem_on_the_body()
    {
        await using var host = JobsHost.Start();

        using var response = await host.Api.PostAsync("/api/v1/generations", new StringContent("prompt=a cat", Encoding.UTF8, "text/plain"), Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Send the body as JSON (Content-Type: application/json).", problem.GetProperty("errors").GetProperty("body")[0].GetString());
    }

    [Fact]
    public async Task Canceling_a_finished_generation_is_a_409_problem_saying_why()
    {
        await using var host = JobsHost.Start();
        var id = await host.SubmitAsync("coals");
        await host.WaitForAsync(id);

        using var response = await host.Api.PostAsync($"/api/v1/generations/{id}/cancel", null, Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("This generation has already ended (Succeeded); there is nothing to cancel.", problem.GetProperty("detail").GetString());
    }

    public static TheoryData<string, string, string[]> Outcomes => new()
    {
        { "/api/v1/generations", "post", ["202", "400", "401", "403", "415"] },
        { "/api/v1/generations", "get", ["200", "400", "401", "403"] },
        { "/api/v1/generations/{id}", "get", ["200", "401", "403", "404"] },
        { "/api/v1/generations/{id}/cancel", "post", ["200", "401", "403", "404", "409"] },
        { "/api/v1/providers", "get", ["200", "401", "403"] },
        { "/api/v1/spend", "get", ["200", "400", "401", "403"] },
        { "/api/v1/keys", "get", ["200", "401", "403"] },
        { "/api/v1/keys", "post", ["201", "400", "401", "403", "415"] },
        { "/api/v1/keys/{id}", "delete", ["204", "401", "403", "404"] },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task The_openapi_document_lists_every_outcome_of_every_endpoint(string path, string method, string[] statuses)
    {
        await using var host = JobsHost.Start();

        var document = JsonDocument.Parse(await host.Api.GetStringAsync("/openapi/v1.json", Ct)).RootElement;
        var responses = document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");

        Assert.Equal(statuses, responses.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
        foreach (var failure in statuses.Where(s => s[0] == '4'))
        {
            Assert.True(responses.GetProperty(failure).GetProperty("content").TryGetProperty("application/problem+json", out _),
                $"{method} {path} {failure} is described as a problem");
        }
    }
}
