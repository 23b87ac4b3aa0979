using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Sharing;
using ImageHub.Web.Tests.Gallery;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ImageHub.Web.Tests.Sharing;

/// <summary>Public share links as an outsider meets them: the page, the images under it, passwords, revoke and expiry.</summary>
public sealed class ShareLinkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Secret = "a lighthouse keeper's secret recipe, codename PELICAN";

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ShareAsync(HttpClient api, object body)
    {
        using var response = await api.PostAsJsonAsync("/api/v1/shares", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string PathOf(JsonElement created) => new Uri(created.GetProperty("url").GetString()!).AbsolutePath;

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task An_outsider_opens_a_link_and_is_refused_after_revoke_and_after_expiry(DatabaseKind kind)
    {
        await using var world = await GalleryWorld.CreateAsync(kind);
        var image = await world.ImageAsync(GalleryWorld.Owner, "koala", "a red kite over the dunes");
        var (status, created) = await ShareAsync(world.Api, new { imageIds = new[] { image } });
        var (_, expiring) = await ShareAsync(world.Api, new { imageIds = new[] { image }, expiresAt = world.App.Clock.GetUtcNow().AddHours(1) });
        var path = PathOf(created);
        var token = path["/s/".Length..];

        using var page = await world.Anonymous.GetAsync(path, Ct);
        using var picture = await world.Anonymous.GetAsync(path + "/images/1", Ct);
        using var thumb = await world.Anonymous.GetAsync(path + "/images/1/thumb", Ct);
        using var expiringBefore = await world.Anonymous.GetAsync(PathOf(expiring), Ct);
        using var forged = await world.Anonymous.GetAsync("/s/" + new string('A', token.Length), Ct);
        using var truncated = await world.Anonymous.GetAsync("/s/" + token[..^1], Ct);
        using var truncatedImage = await world.Anonymous.GetAsync("/s/" + token[..^1] + "/images/1", Ct);
        using var noSuchImage = await world.Anonymous.GetAsync(path + "/images/2", Ct);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.True(token.Length >= 22, "at least 128 bits in base64url");
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.StartsWith("http", created.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("/images/1/thumb", await page.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, picture.StatusCode);
        Assert.Equal("image/png", picture.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, thumb.StatusCode);
        Assert.Equal(HttpStatusCode.OK, expiringBefore.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, truncated.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, truncatedImage.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noSuchImage.StatusCode);

        using var revoke = await world.Api.DeleteAsync($"/api/v1/shares/{created.GetProperty("id").GetGuid()}", Ct);
        world.App.Clock.Advance(TimeSpan.FromHours(2));
        using var pageAfter = await world.Anonymous.GetAsync(path, Ct);
        using var pictureAfter = await world.Anonymous.GetAsync(path + "/images/1", Ct);
        using var thumbAfter = await world.Anonymous.GetAsync(path + "/images/1/thumb", Ct);
        using var expiredPage = await world.Anonymous.GetAsync(PathOf(expiring), Ct);
        using var expiredPicture = await world.Anonymous.GetAsync(PathOf(expiring) + "/images/1", Ct);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, pageAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, pictureAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, thumbAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, expiredPage.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, expiredPicture.StatusCode);
        Assert.DoesNotContain("a red kite", await pageAfter.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_hidden_prompt_is_in_neither_the_page_nor_the_served_files_nor_their_names_and_the_originals_stay_as_stored(DatabaseKind kind)
    {
        await using var world = await GalleryWorld.CreateAsync(kind);
        var png = TestImages.Png(Secret);
        var jpeg = TestImages.Jpeg(Secret);
        var webp = TestImages.WebP(Secret);
        var images = new[]
        {
            await world.ImageAsync(GalleryWorld.Owner, "koala", Secret, bytes: png, contentType: "image/png"),
            await world.ImageAsync(GalleryWorld.Owner, "coals", Secret + " (jpeg)", bytes: jpeg, contentType: "image/jpeg"),
            await world.ImageAsync(GalleryWorld.Owner, "kolbo", Secret + " (webp)", bytes: webp, contentType: "image/webp"),
        };
        var (_, hidden) = await ShareAsync(world.Api, new { imageIds = images, allowDownload = true });
        var (_, shown) = await ShareAsync(world.Api, new { imageIds = images, showPrompt = true });
        var path = PathOf(hidden);

        var html = await world.Anonymous.GetStringAsync(path, Ct);
        var shownHtml = await world.Anonymous.GetStringAsync(PathOf(shown), Ct);
        var served = new List<(byte[] Bytes, string? Name, string? Type)>();
        foreach (var url in new[] { "/images/1", "/images/2", "/images/3", "/images/1/download", "/images/1/thumb", "/images/2/thumb", "/images/3/thumb" })
        {
            using var response = await world.Anonymous.GetAsync(path + url, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            served.Add((await response.Content.ReadAsByteArrayAsync(Ct), response.Content.Headers.ContentDisposition?.FileName?.Trim('"'),
                response.Content.Headers.ContentType?.MediaType));
        }
        // The same file twice: the stripped variant is made once and kept.
        var again = await world.Anonymous.GetByteArrayAsync(path + "/images/1", Ct);

        Assert.DoesNotContain("PELICAN", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("lighthouse", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("PELICAN", shownHtml); // the other link shows it, as asked
        foreach (var (bytes, name, _) in served)
        {
            Assert.False(Encoding.Latin1.GetString(bytes).Contains("PELICAN", StringComparison.Ordinal), $"{name} carries the prompt");
            Assert.Matches(@"^image-\d\.(png|jpg|webp)$", name);
        }

        var pngChunks = TestImages.PngChunks(served[0].Bytes);
        Assert.Equal(["IHDR", "IDAT", "IEND"], pngChunks.Select(c => c.Type));
        Assert.Equal(TestImages.PngChunks(png).Where(c => c.Type == "IDAT").Single().Data, pngChunks[1].Data); // the picture itself is untouched
        var jpegMarkers = TestImages.JpegSegments(served[1].Bytes).Select(s => s.Marker).ToList();
        Assert.Equal(new byte[] { 0xE0, 0xDB, 0xDA }, jpegMarkers);
        Assert.Equal(jpeg[^7..], served[1].Bytes[^7..]); // scan data and EOI as they were
        var webpChunks = TestImages.WebPChunks(served[2].Bytes);
        Assert.Equal(["VP8X", "VP8L"], webpChunks.Select(c => c.FourCc));
        Assert.Equal(0, webpChunks[0].Data[0] & 0b0000_1100); // no EXIF or XMP announced
        Assert.Equal(served[0].Bytes, again);
        Assert.Equal(png, await File.ReadAllBytesAsync(world.FilePath(png, ".png"), Ct)); // the stored originals are what the provider sent
        Assert.Equal(jpeg, await File.ReadAllBytesAsync(world.FilePath(jpeg, ".jpg"), Ct));
        Assert.Equal(webp, await File.ReadAllBytesAsync(world.FilePath(webp, ".webp"), Ct));
        Assert.Contains("PELICAN", Encoding.Latin1.GetString(await world.Api.GetByteArrayAsync($"/images/{images[0]}", Ct))); // members still get the original
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_password_link_shows_nothing_until_unlocked_and_the_sixth_wrong_password_in_a_minute_is_a_429_that_passes(DatabaseKind kind)
    {
        await using var world = await GalleryWorld.CreateAsync(kind);
        var image = await world.ImageAsync(GalleryWorld.Owner, "koala", "a quiet harbour at dawn");
        var (_, created) = await ShareAsync(world.Api, new { imageIds = new[] { image }, password = "open sesame" });
        var (_, other) = await ShareAsync(world.Api, new { imageIds = new[] { image }, password = "other door" });
        var path = PathOf(created);

        var locked = await world.Anonymous.GetStringAsync(path, Ct);
        using var lockedImage = await world.Anonymous.GetAsync(path + "/images/1", Ct);
        using var lockedThumb = await world.Anonymous.GetAsync(path + "/images/1/thumb", Ct);
        var wrong = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var attempt = await world.Anonymous.PostAsync(path + "/unlock", new FormUrlEncodedContent(new Dictionary<string, string> { ["password"] = $"guess {i}" }), Ct);
            wrong.Add(attempt.StatusCode);
            if (i == 5) Assert.NotNull(attempt.Headers.RetryAfter);
        }
        using var rightButThrottled = await world.Anonymous.PostAsync(path + "/unlock", new FormUrlEncodedContent(new Dictionary<string, string> { ["password"] = "open sesame" }), Ct);
        using var otherLinkMeanwhile = await world.Anonymous.PostAsync(PathOf(other) + "/unlock", new FormUrlEncodedContent(new Dictionary<string, string> { ["password"] = "nope nope" }), Ct);
        world.App.Clock.Advance(TimeSpan.FromSeconds(61));
        using var unlock = await world.Anonymous.PostAsync(path + "/unlock", new FormUrlEncodedContent(new Dictionary<string, string> { ["password"] = "open sesame" }), Ct);
        var cookie = unlock.Headers.GetValues("Set-Cookie").Single();
        var unlocked = await world.Anonymous.GetStringAsync(path, Ct);
        using var unlockedImage = await world.Anonymous.GetAsync(path + "/images/1", Ct);
        using var otherStillLocked = await world.Anonymous.GetAsync(PathOf(other) + "/images/1", Ct);

        Assert.DoesNotContain("<img", locked);
        Assert.Contains("name=\"password\"", locked);
        Assert.DoesNotContain("og:image", locked);
        Assert.Equal(HttpStatusCode.NotFound, lockedImage.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, lockedThumb.StatusCode);
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), HttpStatusCode.TooManyRequests], wrong);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightButThrottled.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherLinkMeanwhile.StatusCode); // per link
        Assert.Equal(HttpStatusCode.Redirect, unlock.StatusCode); // a minute later: no lockout
        Assert.Contains($"path={path}", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<img", unlocked);
        Assert.Equal(HttpStatusCode.OK, unlockedImage.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherStillLocked.StatusCode); // the cookie opens its own link only
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Every_share_response_says_noindex_nofollow_and_no_referrer(DatabaseKind kind)
    {
        await using var world = await GalleryWorld.CreateAsync(kind);
        var image = await world.ImageAsync(GalleryWorld.Owner, "koala", "a windmill");
        var (_, open) = await ShareAsync(world.Api, new { imageIds = new[] { image }, allowDownload = true });
        var (_, locked) = await ShareAsync(world.Api, new { imageIds = new[] { image }, password = "password one" });
        var (_, revoked) = await ShareAsync(world.Api, new { imageIds = new[] { image } });
        await world.Api.DeleteAsync($"/api/v1/shares/{revoked.GetProperty("id").GetGuid()}", Ct);
        var responses = new List<HttpResponseMessage>();
        foreach (var url in new[] { PathOf(open), PathOf(open) + "/images/1", PathOf(open) + "/images/1/thumb", PathOf(open) + "/images/1/download",
                     PathOf(open) + "/images/9", PathOf(locked), PathOf(locked) + "/images/1", PathOf(revoked), PathOf(revoked) + "/images/1", "/s/forged", "/s/forged/images/1" })
        {
            responses.Add(await world.Anonymous.GetAsync(url, Ct));
        }
        responses.Add(await world.Anonymous.PostAsync(PathOf(locked) + "/unlock", new FormUrlEncodedContent(new Dictionary<string, string> { ["password"] = "wrong" }), Ct));
        responses.Add(await world.Anonymous.PostAsync(PathOf(locked) + "/unlock", new FormUrlEncodedContent(new Dictionary<string, string> { ["password"] = "password one" }), Ct));

        Assert.Equal(13, responses.Count);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.NotFound);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Gone);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Unauthorized);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Redirect);
        foreach (var response in responses)
        {
            var where = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.AbsolutePath} ({(int)response.StatusCode})";
            Assert.True(response.Headers.TryGetValues("X-Robots-Tag", out var robots), where);
            Assert.Equal("noindex, nofollow", Assert.Single(robots));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            response.Dispose();
        }
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_board_link_shows_the_board_views_are_counted_and_creating_and_revoking_are_audited(DatabaseKind kind)
    {
        await using var world = await GalleryWorld.CreateAsync(kind);
        var first = await world.ImageAsync(GalleryWorld.Owner, "koala", "a board image");
        var second = await world.ImageAsync(GalleryWorld.Member, "coals", "another board image", at: TimeSpan.FromMinutes(1));
        using var board = await world.Api.PostAsJsonAsync("/api/v1/boards", new { name = "Moodboard" }, Ct);
        var boardId = (await board.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        await world.MemberApi.PutAsync($"/api/v1/boards/{boardId}/images/{first}", null, Ct);
        var (status, created) = await ShareAsync(world.MemberApi, new { boardId, showPrompt = true });
        await world.Api.PutAsync($"/api/v1/boards/{boardId}/images/{second}", null, Ct); // added after sharing: the link shows it

        var page = await world.Anonymous.GetStringAsync(PathOf(created), Ct);
        await world.Anonymous.GetStringAsync(PathOf(created), Ct);
        var listed = (await world.Api.GetFromJsonAsync<JsonElement>("/api/v1/shares", Ct)).GetProperty("items").EnumerateArray().Single();
        using var revoke = await world.Api.DeleteAsync($"/api/v1/shares/{created.GetProperty("id").GetGuid()}", Ct);
        var audit = await world.App.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<ImageHub.Web.Data.AppDbContext>();
            return await db.Set<ShareAuditEntry>().IgnoreQueryFilters().OrderBy(a => a.At).ThenBy(a => a.Id).Select(a => new { a.Action, a.ActorEmail }).ToListAsync(Ct);
        });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Contains("a board image", page);
        Assert.Contains("another board image", page);
        Assert.Equal(2, listed.GetProperty("views").GetInt32());
        Assert.Equal(2, listed.GetProperty("images").GetInt32());
        Assert.Equal(PathOf(created), new Uri(listed.GetProperty("url").GetString()!).AbsolutePath); // members can copy it again
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("lastViewedAt").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal([(ShareAuditAction.Created, GalleryWorld.Member), (ShareAuditAction.Revoked, GalleryWorld.Owner)], audit.Select(a => (a.Action, a.ActorEmail)));
    }

    [Fact]
    public async Task The_token_is_stored_only_as_a_hash_and_an_encrypted_copy()
    {
        await using var world = await GalleryWorld.CreateAsync(DatabaseKind.Sqlite);
        var image = await world.ImageAsync(GalleryWorld.Owner, "koala", "a lantern");
        var (_, created) = await ShareAsync(world.Api, new { imageIds = new[] { image } });
        var token = PathOf(created)["/s/".Length..];

        var row = await world.App.InScopeAsync(async sp =>
            await sp.GetRequiredService<ImageHub.Web.Data.AppDbContext>().Set<ShareLink>().IgnoreQueryFilters().SingleAsync(Ct));

        Assert.Equal(ShareTokens.Hash(token), row.TokenHash);
        Assert.DoesNotContain(token, row.ProtectedToken);
        Assert.Equal(32, token.Length); // 192 random bits
    }

    [Fact]
    public async Task Bad_share_requests_are_4xx_problems_that_name_the_field()
    {
        await using var world = await GalleryWorld.CreateAsync(DatabaseKind.Sqlite);
        var image = await world.ImageAsync(GalleryWorld.Owner, "koala", "a kettle");
        var theirs = await world.ImageAsync(GalleryWorld.Outsider, "koala", "bob's kettle", workspace: world.Elsewhere);
        var (_, mine) = await ShareAsync(world.Api, new { imageIds = new[] { image } });

        var (past, pastBody) = await ShareAsync(world.Api, new { imageIds = new[] { image }, expiresAt = world.App.Clock.GetUtcNow().AddMinutes(-1) });
        var (shortPassword, shortBody) = await ShareAsync(world.Api, new { imageIds = new[] { image }, password = "short" });
        var (neither, neitherBody) = await ShareAsync(world.Api, new { allowDownload = true });
        var (foreign, _) = await ShareAsync(world.Api, new { imageIds = new[] { theirs } });
        var (unknownBoard, _) = await ShareAsync(world.Api, new { boardId = Guid.NewGuid() });
        using var revokeTheirs = await world.OutsiderApi.DeleteAsync($"/api/v1/shares/{mine.GetProperty("id").GetGuid()}", Ct);
        using var revokeUnknown = await world.Api.DeleteAsync($"/api/v1/shares/{Guid.NewGuid()}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, past);
        Assert.Contains("past", pastBody.GetProperty("errors").GetProperty("expiresAt")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, shortPassword);
        Assert.Contains("8 characters", shortBody.GetProperty("errors").GetProperty("password")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, neither);
        Assert.True(neitherBody.GetProperty("errors").TryGetProperty("imageIds", out _));
        Assert.Equal(HttpStatusCode.NotFound, foreign);
        Assert.Equal(HttpStatusCode.NotFound, unknownBoard);
        Assert.Equal(HttpStatusCode.NotFound, revokeTheirs.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, revokeUnknown.StatusCode);
        using var stillOpen = await world.Anonymous.GetAsync(PathOf(mine), Ct);
        Assert.Equal(HttpStatusCode.OK, stillOpen.StatusCode);
    }
}
