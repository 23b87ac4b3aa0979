using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Keys;

/// <summary>A secret goes in once and never comes back out: not from the database file, not in a page, not in the API.</summary>
public sealed class KeySecrecyTests
{
    private const string Secret = "kolbo_live_S3cr3tValue-4e1b9c77d2a0";

    [Fact]
    public async Task The_SQLite_file_and_its_WAL_hold_no_plaintext_secret_after_a_key_is_saved_and_rotated()
    {
        await using var team = await KeyTeam.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var added = await team.OwnerBrowser.Http.PostAsync("/api/v1/keys",
            KeyTeam.Json(new { provider = "kolbo", label = "Findable label 7d1c", secret = Secret, scope = "personal" }), ct);
        var key = await added.Content.ReadFromJsonAsync<JsonElement>(ct);
        var rotatedSecret = Secret + "-rotated";
        await team.AsAsync(KeyTeam.Owner, (vault, actor) => vault.RotateAsync(actor, key.GetProperty("id").GetGuid(), rotatedSecret, cancellationToken: ct));

        SqlitePool.Clear(team.App.StorageRoot);
        var files = new[] { "imagehub.db", "imagehub.db-wal" }.Select(f => Path.Combine(team.App.StorageRoot, f)).Where(File.Exists).ToList();
        var bytes = files.Select(File.ReadAllBytes).ToList();

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Contains(bytes, b => Contains(b, Encoding.UTF8.GetBytes("Findable label 7d1c"))); // the scan sees what is stored in clear
        foreach (var secret in new[] { Secret, rotatedSecret, "S3cr3tValue-4e1b9c77" })
        {
            foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode, Encoding.BigEndianUnicode })
            {
                Assert.DoesNotContain(bytes, b => Contains(b, encoding.GetBytes(secret)));
            }
        }
    }

    [Fact]
    public async Task No_page_or_API_response_carries_the_secret_only_its_mask()
    {
        await using var team = await KeyTeam.CreateAsync();
        var ct = TestContext.Current.CancellationToken;

        var created = await team.OwnerBrowser.Http.PostAsync("/api/v1/keys",
            KeyTeam.Json(new { provider = "kolbo", label = "Team Kolbo", secret = Secret, scope = "workspace" }), ct);
        var createdBody = await created.Content.ReadAsStringAsync(ct);
        var list = await team.OwnerBrowser.Http.GetStringAsync("/api/v1/keys", ct);
        var memberList = await team.MemberBrowser.Http.GetStringAsync("/api/v1/keys", ct);
        var keysPage = await team.OwnerBrowser.GetAsync("/keys");
        var memberKeysPage = await team.MemberBrowser.GetAsync("/keys");
        var keyId = JsonDocument.Parse(createdBody).RootElement.GetProperty("id").GetGuid();
        await team.AsAsync(KeyTeam.Owner, (vault, actor) => vault.CheckAsync(actor, keyId, ct));
        var auditPage = await team.OwnerBrowser.GetAsync("/keys/audit");
        var checkedPage = await team.OwnerBrowser.GetAsync("/keys");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var json = JsonDocument.Parse(createdBody);
        Assert.Equal("••••d2a0", json.RootElement.GetProperty("mask").GetString());
        Assert.Equal("workspace", json.RootElement.GetProperty("scope").GetString());
        Assert.Equal("unchecked", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("••••d2a0", keysPage.Text);
        Assert.Contains("••••d2a0", memberKeysPage.Text);
        Assert.Contains("Team Kolbo", auditPage.Text);
        Assert.Contains("Valid", checkedPage.Text);
        foreach (var text in new[] { createdBody, list, memberList, keysPage.Html, memberKeysPage.Html, auditPage.Html, checkedPage.Html, keysPage.Text, auditPage.Text, checkedPage.Text })
        {
            Assert.DoesNotContain(Secret, text);
            Assert.DoesNotContain("S3cr3tValue", text);
        }
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_new_host_over_the_same_database_and_key_ring_decrypts_every_key(DatabaseKind kind)
    {
        await using var team = await KeyTeam.CreateAsync(kind);
        var ct = TestContext.Current.CancellationToken;
        var secrets = new Dictionary<string, string>
        {
            ["koala"] = "koala_secret_0001_abcd", ["qolaba"] = "qolaba_secret_0002_efgh",
            ["coals"] = "coals_secret_0003_ijkl", ["kolbo"] = "kolbo_live_secret_0004_mnop",
        };
        var ids = new Dictionary<string, Guid>();
        foreach (var (provider, secret) in secrets)
        {
            ids[provider] = (await team.AddKeyAsync(KeyTeam.Owner, provider, $"{provider} key", secret, provider == "kolbo" ? KeyScope.Workspace : KeyScope.Personal)).Id;
        }

        await using var restarted = team.App.Restart();
        var decrypted = new Dictionary<string, string>();
        await restarted.InWorkspaceAsync(KeyTeam.Owner, team.WorkspaceId, async sp =>
        {
            var resolver = sp.GetRequiredService<KeyResolver>();
            foreach (var (provider, id) in ids)
            {
                decrypted[provider] = (await resolver.GetCredentialAsync(id, provider, ct)).Reveal();
            }
        });

        Assert.Equal(secrets, decrypted);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
