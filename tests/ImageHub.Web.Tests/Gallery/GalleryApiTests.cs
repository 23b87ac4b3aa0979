using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Gallery;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Gallery;

/// <summary>The gallery through <c>/api/v1/images</c> and <c>/api/v1/boards</c>: search, filters, paging, stars, trash, boards.</summary>
public sealed class GalleryApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<string>> PromptsAsync(HttpClient api, string query)
    {
        using var response = await api.GetAsync("/api/v1/images" + query, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("prompt").GetString()!).ToList();
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite, null)]
    [InlineData(DatabaseKind.Sqlite, "0")] // SQLite's other plan for searches that match many prompts: the same answers
    [InlineData(DatabaseKind.Postgres, null)]
    public async Task Search_and_every_filter_narrow_the_gallery_and_combine(DatabaseKind kind, string? scanThreshold)
    {
        await using var world = await GalleryWorld.CreateAsync(kind, new Dictionary<string, string?> { ["Gallery:SearchScanThreshold"] = scanThreshold });
        var fox = await world.ImageAsync(GalleryWorld.Owner, "koala", "A red fox in deep snow", model: "flux", at: TimeSpan.FromDays(-10));
        var whale = await world.ImageAsync(GalleryWorld.Owner, "coals", "Blue whale under moonlight", at: TimeSpan.FromDays(-5));
        var panda = await world.ImageAsync(GalleryWorld.Member, "koala", "Red pandas eating bamboo", model: "ideogram-3.0", at: TimeSpan.FromDays(-1));
        var gone = await world.ImageAsync(GalleryWorld.Member, "kolbo", "A red barn, deleted", at: TimeSpan.FromDays(-2));
        await world.ImageAsync(GalleryWorld.Outsider, "koala", "Red roses from another workspace", workspace: world.Elsewhere);
        await world.Api.PutAsync($"/api/v1/images/{whale}/star", null, Ct);
        await world.MemberApi.PutAsync($"/api/v1/images/{fox}/star", null, Ct); // marco's star is his own
        using var board = await world.MemberApi.PostAsJsonAsync("/api/v1/boards", new { name = "Animals" }, Ct);
        var boardId = (await board.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        await world.MemberApi.PutAsync($"/api/v1/boards/{boardId}/images/{panda}", null, Ct);
        await world.Api.PutAsync($"/api/v1/boards/{boardId}/images/{whale}", null, Ct);
        await world.Api.DeleteAsync($"/api/v1/images/{gone}", Ct);
        var day = world.App.Clock.GetUtcNow();
        string Date(int days) => day.AddDays(days).ToString("yyyy-MM-dd");

        Assert.Equal(["Red pandas eating bamboo", "Blue whale under moonlight", "A red fox in deep snow"], await PromptsAsync(world.Api, ""));
        Assert.Equal(["Red pandas eating bamboo", "A red fox in deep snow"], await PromptsAsync(world.Api, "?q=red"));
        Assert.Equal(["Red pandas eating bamboo"], await PromptsAsync(world.Api, "?q=PANDA")); // a prefix, any case
        Assert.Equal(["A red fox in deep snow"], await PromptsAsync(world.Api, "?q=red%20snow"));
        Assert.Empty(await PromptsAsync(world.Api, "?q=roses"));
        Assert.Equal(["Red pandas eating bamboo", "A red fox in deep snow"], await PromptsAsync(world.Api, "?provider=koala"));
        Assert.Equal(["Red pandas eating bamboo"], await PromptsAsync(world.Api, "?provider=koala&model=ideogram-3.0"));
        Assert.Equal(["Red pandas eating bamboo"], await PromptsAsync(world.Api, $"?member={Uri.EscapeDataString(GalleryWorld.Member)}"));
        Assert.Equal(["Red pandas eating bamboo"], await PromptsAsync(world.Api, $"?member={await world.App.UserIdAsync(GalleryWorld.Member)}"));
        Assert.Equal(["Blue whale under moonlight"], await PromptsAsync(world.Api, $"?from={Date(-6)}&to={Date(-3)}"));
        Assert.Equal(["Blue whale under moonlight"], await PromptsAsync(world.Api, "?starred=true"));
        Assert.Equal(["A red fox in deep snow"], await PromptsAsync(world.MemberApi, "?starred=true"));
        Assert.Equal(["Red pandas eating bamboo", "Blue whale under moonlight"], await PromptsAsync(world.Api, $"?boardId={boardId}"));
        Assert.Equal(["Blue whale under moonlight"], await PromptsAsync(world.Api, $"?boardId={boardId}&starred=true&q=whale&provider=coals&from={Date(-6)}"));
        Assert.Equal(["A red barn, deleted"], await PromptsAsync(world.Api, "?trash=true"));
        Assert.Equal(["A red barn, deleted"], await PromptsAsync(world.Api, "?trash=true&q=barn&provider=kolbo"));

        var body = JsonDocument.Parse(await world.Api.GetStringAsync("/api/v1/images?q=whale", Ct)).RootElement;
        var item = body.GetProperty("items")[0];
        Assert.Equal(whale, item.GetProperty("id").GetGuid());
        Assert.Equal($"/images/{whale}", item.GetProperty("url").GetString());
        Assert.Equal($"/images/{whale}/thumb", item.GetProperty("thumbnailUrl").GetString());
        Assert.Equal("coals", item.GetProperty("provider").GetString());
        Assert.Equal(GalleryWorld.Owner, item.GetProperty("author").GetString());
        Assert.True(item.GetProperty("starred").GetBoolean());
        foreach (var field in new[] { "generationId", "width", "height", "model", "createdAt" }) Assert.True(item.TryGetProperty(field, out _), field);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("nextCursor").ValueKind);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Keyset_pages_show_every_image_once_while_new_images_arrive_and_the_same_second_holds_several(DatabaseKind kind)
    {
        await using var world = await GalleryWorld.CreateAsync(kind);
        var expected = new List<Guid>();
        for (var i = 0; i < 7; i++) expected.Add(await world.ImageAsync(GalleryWorld.Owner, "koala", $"picture {i}", at: TimeSpan.FromSeconds(i / 2))); // pairs share a time
        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = JsonDocument.Parse(await world.Api.GetStringAsync($"/api/v1/images?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}", Ct)).RootElement;
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("nextCursor").GetString();
            if (pages++ == 0)
            {
                await world.ImageAsync(GalleryWorld.Owner, "coals", "arrived meanwhile", at: TimeSpan.FromMinutes(5));
                await world.ImageAsync(GalleryWorld.Owner, "coals", "arrived in the same second", at: TimeSpan.FromSeconds(1));
            }
        } while (cursor is not null);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(expected.ToHashSet(), seen.Where(expected.Contains).ToHashSet());
        Assert.Equal(4, pages);
        var newest = JsonDocument.Parse(await world.Api.GetStringAsync("/api/v1/images?limit=1", Ct)).RootElement;
        Assert.Equal("arrived meanwhile", newest.GetProperty("items")[0].GetProperty("prompt").GetString()); // the next visit starts with it
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Trash_restore_and_purge_delete_a_file_only_when_nothing_references_it(DatabaseKind kind)
    {
        await using var world = await GalleryWorld.CreateAsync(kind, new Dictionary<string, string?> { ["Gallery:TrashRetention"] = "30.00:00:00" });
        var shared = TestImages.Png("the same bytes twice", withText: false);
        var alone = TestImages.Png("bytes of its own", withText: false);
        var kept = TestImages.Png("kept after restore", withText: false);
        var first = await world.ImageAsync(GalleryWorld.Owner, "koala", "first copy", bytes: shared);
        var second = await world.ImageAsync(GalleryWorld.Owner, "coals", "second copy", bytes: shared);
        var single = await world.ImageAsync(GalleryWorld.Owner, "kolbo", "single", bytes: alone);
        var restored = await world.ImageAsync(GalleryWorld.Owner, "qolaba", "restored", bytes: kept);
        await world.Api.PutAsync($"/api/v1/images/{single}/star", null, Ct);
        using var board = await world.Api.PostAsJsonAsync("/api/v1/boards", new { name = "To purge" }, Ct);
        var boardId = (await board.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        await world.Api.PutAsync($"/api/v1/boards/{boardId}/images/{single}", null, Ct);

        foreach (var id in new[] { first, single, restored }) Assert.Equal(HttpStatusCode.NoContent, (await world.Api.DeleteAsync($"/api/v1/images/{id}", Ct)).StatusCode);
        var afterDelete = await PromptsAsync(world.Api, "");
        using var restore = await world.Api.PostAsync($"/api/v1/images/{restored}/restore", null, Ct);
        var purger = world.App.Services.GetRequiredService<TrashPurger>();
        world.App.Clock.Advance(TimeSpan.FromDays(29));
        var early = await purger.PurgeAsync(Ct);
        world.App.Clock.Advance(TimeSpan.FromDays(2));
        var purged = await purger.PurgeAsync(Ct);

        Assert.Equal(["second copy"], afterDelete);
        Assert.Equal(HttpStatusCode.NoContent, restore.StatusCode);
        Assert.Equal(0, early);
        Assert.Equal(2, purged);
        Assert.True(File.Exists(world.FilePath(shared, ".png")), "the second copy still references the shared file");
        Assert.False(File.Exists(world.FilePath(alone, ".png")), "nothing references the single image's file");
        Assert.True(File.Exists(world.FilePath(kept, ".png")));
        Assert.Equal(["restored", "second copy"], await PromptsAsync(world.Api, ""));
        Assert.Empty(await PromptsAsync(world.Api, "?trash=true"));
        Assert.Empty(await PromptsAsync(world.Api, $"?boardId={boardId}"));
        Assert.Equal(HttpStatusCode.NotFound, (await world.Api.GetAsync($"/images/{single}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await world.Api.GetAsync($"/images/{second}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Bad_gallery_requests_are_4xx_problems_and_another_workspaces_ids_are_404()
    {
        await using var world = await GalleryWorld.CreateAsync(DatabaseKind.Sqlite);
        var mine = await world.ImageAsync(GalleryWorld.Owner, "koala", "mine");
        var theirs = await world.ImageAsync(GalleryWorld.Outsider, "koala", "theirs", workspace: world.Elsewhere);
        using var theirBoard = await world.OutsiderApi.PostAsJsonAsync("/api/v1/boards", new { name = "Bob's" }, Ct);
        var theirBoardId = (await theirBoard.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();

        async Task<(HttpStatusCode, string)> Send(HttpMethod method, string url, object? body = null)
        {
            using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await world.Api.SendAsync(request, Ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        var cases = new (HttpStatusCode Expected, HttpMethod Method, string Url, object? Body, string Says)[]
        {
            (HttpStatusCode.BadRequest, HttpMethod.Get, "/api/v1/images?cursor=not-a-cursor", null, "cursor"),
            (HttpStatusCode.BadRequest, HttpMethod.Get, "/api/v1/images?limit=0", null, "limit"),
            (HttpStatusCode.BadRequest, HttpMethod.Get, "/api/v1/images?provider=dalle", null, "koala"),
            (HttpStatusCode.BadRequest, HttpMethod.Get, "/api/v1/images?from=yesterday", null, "from"),
            (HttpStatusCode.BadRequest, HttpMethod.Get, "/api/v1/images?member=nobody@example.com", null, "member"),
            (HttpStatusCode.BadRequest, HttpMethod.Get, "/api/v1/images?starred=maybe", null, "starred"),
            (HttpStatusCode.NotFound, HttpMethod.Get, $"/api/v1/images?boardId={theirBoardId}", null, "board"),
            (HttpStatusCode.NotFound, HttpMethod.Put, $"/api/v1/images/{theirs}/star", null, "image"),
            (HttpStatusCode.NotFound, HttpMethod.Delete, $"/api/v1/images/{theirs}", null, "image"),
            (HttpStatusCode.NotFound, HttpMethod.Post, $"/api/v1/images/{Guid.NewGuid()}/restore", null, "image"),
            (HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/boards", new { name = "   " }, "name"),
            (HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/boards", new { name = new string('b', 81) }, "at most 80"),
            (HttpStatusCode.NotFound, HttpMethod.Put, $"/api/v1/boards/{theirBoardId}/images/{mine}", null, "board"),
            (HttpStatusCode.NotFound, HttpMethod.Get, $"/api/v1/boards/{theirBoardId}/download", null, "board"),
        };
        foreach (var (expected, method, url, body, says) in cases)
        {
            var (status, text) = await Send(method, url, body);
            Assert.True(expected == status, $"{method} {url}: {(int)status} {text}");
            Assert.Contains(says, text, StringComparison.OrdinalIgnoreCase);
        }
        using var board = await world.Api.PostAsJsonAsync("/api/v1/boards", new { name = "Mine" }, Ct);
        var boardId = (await board.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        var (theirImage, _) = await Send(HttpMethod.Put, $"/api/v1/boards/{boardId}/images/{theirs}");
        Assert.Equal(HttpStatusCode.NotFound, theirImage);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_board_downloads_as_a_zip_of_its_files_named_without_prompts(DatabaseKind kind)
    {
        await using var world = await GalleryWorld.CreateAsync(kind);
        var bytes = TestImages.Png("zip me", withText: false);
        var one = await world.ImageAsync(GalleryWorld.Owner, "koala", "a secret prompt one", bytes: bytes);
        var two = await world.ImageAsync(GalleryWorld.Member, "coals", "a secret prompt two", bytes: TestImages.Png("zip me too", withText: false));
        using var board = await world.Api.PostAsJsonAsync("/api/v1/boards", new { name = "Zip" }, Ct);
        var boardId = (await board.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        await world.Api.PutAsync($"/api/v1/boards/{boardId}/images/{one}", null, Ct);
        await world.Api.PutAsync($"/api/v1/boards/{boardId}/images/{two}", null, Ct);

        using var response = await world.Api.GetAsync($"/api/v1/boards/{boardId}/download", Ct);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)));
        using var selection = await world.Api.GetAsync($"/api/v1/images/download?ids={one}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, zip.Entries.Count);
        Assert.All(zip.Entries, e => Assert.DoesNotContain("secret", e.FullName));
        var entry = zip.Entries.Single(e => e.FullName.Contains(one.ToString("N")));
        using var content = new MemoryStream();
        await using (var stream = await entry.OpenAsync(Ct)) await stream.CopyToAsync(content, Ct);
        Assert.Equal(bytes, content.ToArray());
        Assert.Equal(HttpStatusCode.OK, selection.StatusCode);
    }
}
