using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Keys;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Tests.Infrastructure.Arrange;

namespace ImageHub.Web.Tests.Keys;

/// <summary>GET/POST/DELETE /api/v1/keys: per-field messages, 403 and 404 as problem details, and who sees what.</summary>
public sealed class KeyApiTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { """{"provider":"kolbo","label":"ok","secret":""}""", "secret", "Paste the key itself; it is empty." },
        { """{"provider":"kolbo","label":"ok","secret":"   \t "}""", "secret", "Paste the key itself; it is empty." },
        { """{"provider":"dalle","label":"ok","secret":"kolbo_live_x"}""", "provider", "\"dalle\" is not a provider ImageHub knows. Choose one of: koala, qolaba, coals, kolbo." },
        { """{"label":"ok","secret":"kolbo_live_x"}""", "provider", "Choose a provider: koala, qolaba, coals, kolbo." },
        { $$"""{"provider":"kolbo","label":"{{new string('x', 101)}}","secret":"kolbo_live_x"}""", "label", "A label has at most 100 characters; this one has 101." },
        { """{"provider":"kolbo","label":"ok","secret":"kolbo_live_x","expiresAt":"2020-01-01T00:00:00Z"}""", "expiresAt", "The expiry date is in the past. Leave it empty, or pick a future date." },
        { """{"provider":"kolbo","label":"ok","secret":"kolbo_live_x","expiresAt":"next tuesday"}""", "expiresAt", "expiresAt must be a date and time, e.g. \"2026-12-31T00:00:00Z\"." },
        { """{"provider":"kolbo","label":"ok","secret":"kolbo_live_x","scope":"everyone"}""", "scope", "Scope is \"personal\" (your own key) or \"workspace\" (the team's key)." },
        { """{"provider":"kolbo",""", "body", "The body is not valid JSON: send one JSON object with the fields /openapi/v1.json lists." },
        { """{"provider":"kolbo","label":"ok","secret":"kolbo_live_x","colour":"blue"}""", "colour", "\"colour\" is not part of the request; remove it (field names are camelCase, as /openapi/v1.json lists them)." },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_a_400_with_a_message_on_the_field(string body, string field, string message)
    {
        await using var team = await KeyTeam.CreateAsync();

        var response = await team.OwnerBrowser.Http.PostAsync("/api/v1/keys", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var keys = await team.OwnerBrowser.Http.GetFromJsonAsync<JsonElement>("/api/v1/keys", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([message], problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, keys.GetArrayLength());
    }

    [Fact]
    public async Task A_member_adding_a_workspace_key_gets_a_403_problem()
    {
        await using var team = await KeyTeam.CreateAsync();

        var response = await team.MemberBrowser.Http.PostAsync("/api/v1/keys",
            KeyTeam.Json(new { provider = "kolbo", label = "Sneaky", secret = "kolbo_live_member_0000", scope = "workspace" }), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Only the workspace's Owners and Admins can add or change workspace keys.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_member_adds_a_personal_key_and_gets_its_mask_back()
    {
        await using var team = await KeyTeam.CreateAsync();

        var response = await team.MemberBrowser.Http.PostAsync("/api/v1/keys",
            KeyTeam.Json(new { provider = "Kolbo", label = "  Marco's Kolbo  ", secret = " kolbo_live_member_0000_wxyz ", scope = "personal", expiresAt = "2027-01-01T00:00:00Z" }), Ct);
        var key = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/v1/keys/{key.GetProperty("id").GetGuid()}", response.Headers.Location?.OriginalString);
        Assert.Equal("kolbo", key.GetProperty("provider").GetString());
        Assert.Equal("Marco's Kolbo", key.GetProperty("label").GetString());
        Assert.Equal("••••wxyz", key.GetProperty("mask").GetString());
        Assert.Equal("personal", key.GetProperty("scope").GetString());
        Assert.Equal("unchecked", key.GetProperty("status").GetString());
        Assert.False(key.TryGetProperty("secret", out _));
    }

    [Fact]
    public async Task A_member_cannot_see_or_delete_another_members_personal_key_nor_delete_a_workspace_key()
    {
        await using var team = await KeyTeam.CreateAsync();
        var olivias = await team.AddKeyAsync(KeyTeam.Owner, "kolbo", "Olivia's own", "kolbo_live_olivia_0000_aaaa");
        var shared = await team.AddKeyAsync(KeyTeam.Owner, "kolbo", "Team Kolbo", "kolbo_live_team_0000_bbbb", KeyScope.Workspace);

        var list = await team.MemberBrowser.Http.GetFromJsonAsync<JsonElement>("/api/v1/keys", Ct);
        var deleteOwn = await team.MemberBrowser.Http.DeleteAsync($"/api/v1/keys/{olivias.Id}", Ct);
        var deleteShared = await team.MemberBrowser.Http.DeleteAsync($"/api/v1/keys/{shared.Id}", Ct);
        var vaultRotate = await team.AsAsync(KeyTeam.Member, (v, a) => v.RotateAsync(a, olivias.Id, "kolbo_live_hijack_0000", cancellationToken: Ct));
        var vaultCheck = await team.AsAsync(KeyTeam.Member, (v, a) => v.CheckAsync(a, shared.Id, Ct));
        var ownerList = await team.OwnerBrowser.Http.GetFromJsonAsync<JsonElement>("/api/v1/keys", Ct);

        Assert.Equal(["Team Kolbo"], list.EnumerateArray().Select(k => k.GetProperty("label").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, deleteOwn.StatusCode);
        Assert.Equal("application/problem+json", deleteOwn.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, deleteShared.StatusCode);
        Assert.Equal(FailureKind.NotFound, vaultRotate.Failure?.Kind);
        Assert.Equal(FailureKind.Forbidden, vaultCheck.Failure?.Kind);
        Assert.Equal(2, ownerList.GetArrayLength());
    }

    [Fact]
    public async Task The_owner_deletes_a_workspace_key_and_the_audit_log_keeps_its_label_and_id()
    {
        await using var team = await KeyTeam.CreateAsync();
        var shared = await team.AddKeyAsync(KeyTeam.Owner, "coals", "Team Coals", "coals_team_key_0000_cccc", KeyScope.Workspace);

        var deleted = await team.OwnerBrowser.Http.DeleteAsync($"/api/v1/keys/{shared.Id}", Ct);
        var again = await team.OwnerBrowser.Http.DeleteAsync($"/api/v1/keys/{shared.Id}", Ct);
        var notAnId = await team.OwnerBrowser.Http.DeleteAsync("/api/v1/keys/not-a-guid", Ct);
        var log = await team.AsAsync(KeyTeam.Owner, (v, _) => v.AuditLogAsync(new KeyAuditFilter(Action: KeyAuditAction.Deleted), Ct));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        var entry = Assert.Single(log);
        Assert.Equal((shared.Id, "Team Coals", KeyTeam.Owner), (entry.KeyId!.Value, entry.KeyLabel, entry.ActorEmail));
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Workspace_A_cannot_see_or_delete_workspace_Bs_keys(DatabaseKind kind)
    {
        await using var team = await KeyTeam.CreateAsync(kind);
        var shared = await team.AddKeyAsync(KeyTeam.Owner, "kolbo", "Studio Kolbo", "kolbo_live_studio_0000_aaaa", KeyScope.Workspace);
        await team.App.InScopeAsync(sp => sp.GetRequiredService<AccountService>().SetRegistrationModeAsync(RegistrationMode.Open));
        using var rival = team.App.CreateBrowser();
        await rival.RegisterAsync("rita@example.com", Password);
        var rivalWorkspace = await team.App.CreateWorkspaceAsync("rita@example.com", "Rival");

        var list = await rival.Http.GetFromJsonAsync<JsonElement>("/api/v1/keys", Ct);
        var delete = await rival.Http.DeleteAsync($"/api/v1/keys/{shared.Id}", Ct);
        var resolution = await team.App.InScopeAsync(async sp =>
        {
            sp.GetRequiredService<Web.Features.Workspaces.CurrentWorkspace>().Set(rivalWorkspace, Web.Features.Workspaces.WorkspaceRole.Owner);
            return await sp.GetRequiredService<KeyResolver>().ResolveAsync(await team.App.UserIdAsync("rita@example.com"), "kolbo", Ct);
        });
        var stillThere = await team.OwnerBrowser.Http.GetFromJsonAsync<JsonElement>("/api/v1/keys", Ct);

        Assert.Equal(0, list.GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.NotEqual(shared.Id, resolution.KeyId);
        Assert.Equal(1, stillThere.GetArrayLength());
    }

    [Fact]
    public async Task An_API_token_adds_lists_and_deletes_the_members_own_keys_without_a_cookie()
    {
        await using var team = await KeyTeam.CreateAsync();
        var token = await TokenAsync(team, KeyTeam.Member);
        using var client = team.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        var created = await client.PostAsync("/api/v1/keys", KeyTeam.Json(new { provider = "qolaba", label = "CI Qolaba", secret = "qolaba_ci_key_0000_tttt" }), Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/keys", Ct);
        var deleted = await client.DeleteAsync($"/api/v1/keys/{id}", Ct);
        var workspaceKey = await client.PostAsync("/api/v1/keys", KeyTeam.Json(new { provider = "qolaba", label = "x", secret = "qolaba_ci_key_0000_uuuu", scope = "workspace" }), Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["CI Qolaba"], list.EnumerateArray().Select(k => k.GetProperty("label").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, workspaceKey.StatusCode);
    }

    private static async Task<string> TokenAsync(KeyTeam team, string email)
    {
        var userId = await team.App.UserIdAsync(email);
        string token = "";
        await team.App.InWorkspaceAsync(email, team.WorkspaceId, async sp =>
        {
            var tokens = sp.GetRequiredService<Web.Features.Api.ApiTokenService>();
            var created = await tokens.CreateAsync(userId, tokens.Draft("keys test", Web.Features.Api.ApiScopes.Keys), Ct);
            Assert.True(created.Succeeded, created.Message);
            token = created.Value!.Token;
        });
        return token;
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_keys_API()
    {
        await using var team = await KeyTeam.CreateAsync();

        var document = await team.OwnerBrowser.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = document.GetProperty("paths");

        Assert.True(paths.TryGetProperty("/api/v1/keys", out var keys));
        Assert.True(keys.TryGetProperty("post", out var post));
        Assert.True(post.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(paths.GetProperty("/api/v1/keys/{id}").TryGetProperty("delete", out _));
    }

    [Fact]
    public async Task Without_signing_in_the_keys_API_answers_401()
    {
        await using var team = await KeyTeam.CreateAsync();
        using var anonymous = team.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var list = await anonymous.GetAsync("/api/v1/keys", Ct);
        var add = await anonymous.PostAsync("/api/v1/keys", KeyTeam.Json(new { provider = "kolbo", label = "x", secret = "kolbo_live_x" }), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.True(add.StatusCode == HttpStatusCode.Unauthorized, await add.Content.ReadAsStringAsync(Ct) + string.Join(";", add.Headers.Select(h => h.Key + "=" + string.Join(",", h.Value))));
    }
}
