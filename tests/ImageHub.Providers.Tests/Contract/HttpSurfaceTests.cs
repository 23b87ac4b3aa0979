using System.Net;
using System.Net.Sockets;
using System.Text;
using ImageHub.Providers.Coals;
using ImageHub.Providers.Koala;
using ImageHub.Providers.Kolbo;
using ImageHub.Providers.Qolaba;
using ImageHub.Providers.Tests.Support;
using ImageHub.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using static ImageHub.Providers.Tests.Support.TestData;

namespace ImageHub.Providers.Tests.Contract;

/// <summary>
/// What every client does on the wire, whatever the provider: bodies with a Content-Length (a server that reads
/// only Content-Length sees the whole body), no redirect followed, per-key breakers, Retry-After wherever the
/// provider puts it.
/// </summary>
public sealed class HttpSurfaceTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private IReadOnlyList<RecordedRequest> Posts(string provider, string key) =>
        fixture.RequestsOf(provider, key).Where(r => r.Method == "POST").ToList();

    /// <summary>The POST carried Content-Length equal to its body's bytes, and was not chunked.</summary>
    private static void AssertSentWithLength(RecordedRequest post)
    {
        Assert.True(post.Headers.TryGetValue("Content-Length", out var length), $"{post.PathAndQuery} was sent without Content-Length.");
        Assert.Equal(Encoding.UTF8.GetByteCount(post.Body), int.Parse(length!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(post.Headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase),
            $"{post.PathAndQuery} was sent chunked.");
    }

    [Fact]
    public async Task Koala_generation_post_carries_its_content_length()
    {
        var key = NewKey();
        await fixture.Get<KoalaClient>().SubmitAsync(new GenerationRequest("a koala", "standard", 2, Options(("style", "anime"))), new ProviderCredential(key), Ct);

        var post = Assert.Single(Posts(ProviderIds.Koala, key));
        AssertSentWithLength(post);
        Assert.Contains("a koala", post.Body);
    }

    [Fact]
    public async Task Qolaba_sync_and_async_generation_posts_carry_their_content_length()
    {
        var key = NewKey();
        var qolaba = fixture.Get<QolabaClient>();
        await qolaba.SubmitAsync(new GenerationRequest("a lighthouse", "vertex/imagen-4-fast"), new ProviderCredential(key), Ct);
        await qolaba.SubmitAsync(new GenerationRequest("a lighthouse", "vertex/imagen-4-fast", Options: Options(("celery", true))), new ProviderCredential(key), Ct);

        var posts = Posts(ProviderIds.Qolaba, key);
        Assert.Equal(2, posts.Count);
        Assert.All(posts, AssertSentWithLength);
    }

    [Fact]
    public async Task Coals_generation_post_carries_its_content_length()
    {
        var key = NewKey();
        await fixture.Get<CoalsClient>().SubmitAsync(new GenerationRequest("a coal", Options: Options(("width", 512), ("height", 768))), new ProviderCredential(key), Ct);

        AssertSentWithLength(Assert.Single(Posts(ProviderIds.Coals, key)));
    }

    [Fact]
    public async Task Kolbo_generation_and_cancel_posts_carry_their_content_length()
    {
        var key = NewKey();
        var credential = new ProviderCredential(key);
        var kolbo = fixture.Get<KolboClient>();
        var submitted = await kolbo.SubmitAsync(new GenerationRequest("a tram", "nano-banana-2"), credential, Ct);
        await kolbo.CancelAsync(submitted.Handle, credential, Ct);

        var posts = Posts(ProviderIds.Kolbo, key);
        Assert.Equal(["/kolbo/api/v1/generate/image", $"/kolbo/api/v1/generate/{submitted.Handle.Id}/cancel"], posts.Select(p => p.PathAndQuery));
        Assert.All(posts, AssertSentWithLength);
    }

    public static TheoryData<string> Providers => [.. ProviderIds.All];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_redirect_from_a_provider_is_an_error_and_is_not_followed_so_the_key_stays_home(string providerId)
    {
        var key = NewKey();
        using var elsewhere = new TcpListener(IPAddress.Loopback, 0);
        elsewhere.Start();
        var location = $"http://127.0.0.1:{((IPEndPoint)elsewhere.LocalEndpoint).Port}/steal";
        fixture.State.EnqueueFault(providerId, key, new SandboxFault(SandboxFaultKind.Redirect, Count: 10, OnlyPath: "generate", Location: location));
        var provider = fixture.Get<IProviderRegistry>().Get(providerId);
        var request = providerId switch
        {
            ProviderIds.Qolaba => new GenerationRequest("a fox", "vertex/imagen-4-fast"),
            _ => new GenerationRequest("a fox"),
        };

        var error = await Assert.ThrowsAsync<ProviderException>(() => provider.SubmitAsync(request, new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.ProviderFailure, error.Kind);
        Assert.Equal(307, error.Error.HttpStatus);
        Assert.Contains("redirect", error.Message);
        Assert.Contains($"Providers:{provider.DisplayName}:BaseUrl", error.Message);
        Assert.False(error.MayHaveBeenAccepted);
        Assert.DoesNotContain(key, error.ToString());
        Assert.False(elsewhere.Pending(), "A client followed the redirect to another address.");
        Assert.Single(Posts(providerId, key));
    }

    [Fact]
    public async Task A_redirect_on_a_read_is_an_error_too_and_nothing_reaches_the_target()
    {
        var key = NewKey();
        using var elsewhere = new TcpListener(IPAddress.Loopback, 0);
        elsewhere.Start();
        fixture.State.EnqueueFault(ProviderIds.Kolbo, key, new SandboxFault(SandboxFaultKind.Redirect, Count: 10,
            Location: $"http://127.0.0.1:{((IPEndPoint)elsewhere.LocalEndpoint).Port}/credits"));

        var check = await fixture.Get<KolboClient>().CheckKeyAsync(new ProviderCredential(key), Ct);

        Assert.Equal(KeyCheckStatus.Error, check.Status);
        Assert.Contains("redirect (307)", check.Message);
        Assert.False(elsewhere.Pending());
        Assert.Single(fixture.RequestsOf(ProviderIds.Kolbo, key));
    }

    [Fact]
    public async Task One_failing_key_opens_its_own_breaker_while_another_key_of_the_same_provider_still_works()
    {
        var bad = NewKey();
        var good = NewKey();
        await using var services = ProviderServices.Build(fixture.Sandbox, new Dictionary<string, string?>
        {
            ["Providers:Resilience:MaxRetries"] = "0",
            ["Providers:Resilience:BreakerMinimumThroughput"] = "2",
            ["Providers:Resilience:BreakerBreakDuration"] = "00:05:00",
        });
        fixture.State.EnqueueFault(ProviderIds.Coals, bad, new SandboxFault(SandboxFaultKind.ServerError, Count: 10));
        var coals = services.GetRequiredService<CoalsClient>();
        for (var i = 0; i < 2; i++) await coals.CheckKeyAsync(new ProviderCredential(bad), Ct);

        var paused = await coals.CheckKeyAsync(new ProviderCredential(bad), Ct);
        var other = await coals.CheckKeyAsync(new ProviderCredential(good), Ct);
        var submitted = await coals.SubmitAsync(new GenerationRequest("still open"), new ProviderCredential(good), Ct);

        Assert.StartsWith("Coals has been failing repeatedly for this key", paused.Message);
        Assert.Equal(2, fixture.RequestsOf(ProviderIds.Coals, bad).Count);
        Assert.Equal(KeyCheckStatus.Valid, other.Status);
        Assert.Equal(GenerationState.Succeeded, submitted.State);
        Assert.Equal(2, fixture.RequestsOf(ProviderIds.Coals, good).Count);
    }

    [Fact]
    public async Task Qolaba_body_only_retry_after_is_waited_and_the_generation_then_goes_through()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Qolaba, key, new SandboxFault(SandboxFaultKind.RateLimited, RetryAfterSeconds: 1, OnlyPath: "generate"));

        var result = await fixture.Get<QolabaClient>().SubmitAsync(new GenerationRequest("a heron", "vertex/imagen-4-fast"), new ProviderCredential(key), Ct);

        Assert.Equal(GenerationState.Succeeded, result.State);
        Assert.Equal(2, Posts(ProviderIds.Qolaba, key).Count); // the 429 was accepted by nobody, so the POST was resent
    }

    [Fact]
    public async Task Qolaba_body_only_retry_after_beyond_the_cap_surfaces_as_rate_limited_with_that_wait()
    {
        var key = NewKey();
        fixture.State.EnqueueFault(ProviderIds.Qolaba, key, new SandboxFault(SandboxFaultKind.RateLimited, RetryAfterSeconds: 95, OnlyPath: "generate"));

        var error = await Assert.ThrowsAsync<ProviderException>(() =>
            fixture.Get<QolabaClient>().SubmitAsync(new GenerationRequest("a heron", "vertex/imagen-4-fast"), new ProviderCredential(key), Ct));

        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(95), error.RetryAfter);
        Assert.Contains("Try again in 95 s", error.Message);
        Assert.Single(Posts(ProviderIds.Qolaba, key));
    }

    [Fact]
    public void Kolbo_allows_its_documented_ten_generations_a_minute_per_key_by_default() =>
        Assert.Equal(10, new KolboOptions().GenerationsPerMinute);

    [Fact]
    public async Task Kolbo_generations_beyond_the_per_key_limit_wait_and_then_are_refused_as_rate_limited_while_another_key_goes_through()
    {
        var busy = NewKey();
        var other = NewKey();
        await using var services = ProviderServices.Build(fixture.Sandbox, new Dictionary<string, string?> { ["Providers:Kolbo:GenerationsPerMinute"] = "1" });
        var kolbo = services.GetRequiredService<KolboClient>();
        var request = new GenerationRequest("a kite");
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        await kolbo.SubmitAsync(request, new ProviderCredential(busy), Ct);
        var queued = kolbo.SubmitAsync(request, new ProviderCredential(busy), stopWaiting.Token);   // waits for the next minute
        var refused = await Assert.ThrowsAsync<ProviderException>(() => kolbo.SubmitAsync(request, new ProviderCredential(busy), Ct));
        var elsewhere = await kolbo.SubmitAsync(request, new ProviderCredential(other), Ct);
        await stopWaiting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);

        Assert.Equal(ProviderErrorKind.RateLimited, refused.Kind);
        Assert.False(refused.MayHaveBeenAccepted);
        Assert.NotNull(refused.RetryAfter);
        Assert.Single(Posts(ProviderIds.Kolbo, busy));
        Assert.Equal(GenerationState.Pending, elsewhere.State);
    }
}
