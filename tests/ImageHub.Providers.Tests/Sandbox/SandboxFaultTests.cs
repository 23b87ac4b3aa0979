using System.Net;
using System.Text.Json;
using ImageHub.Sandbox;
using static ImageHub.Providers.Tests.Sandbox.SandboxAuthAndValidationTests;
using static ImageHub.Providers.Tests.Sandbox.SandboxTestKit;

namespace ImageHub.Providers.Tests.Sandbox;

public sealed class SandboxFaultTests
{
    private const string Key = "fault-key";

    [Theory]
    [InlineData("koala")]
    [InlineData("qolaba")]
    [InlineData("coals")]
    [InlineData("kolbo")]
    public async Task Rate_limited_is_a_429_with_retry_after_in_the_providers_own_body(string provider)
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault(provider, Key, new SandboxFault(SandboxFaultKind.RateLimited, RetryAfterSeconds: 7));
        using var http = Client(sandbox, provider, Key);

        var (response, body) = await http.PostJsonAsync(GeneratePath(provider), MinimalRequest(provider));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        // Qolaba documents only the body's retryAfter; the others send the header.
        Assert.Equal(provider == "qolaba" ? null : TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        switch (provider)
        {
            case "koala":
                Assert.Contains("Rate limit", body.GetProperty("error").GetString());
                break;
            case "qolaba":
                Assert.Equal(7, body.GetProperty("retryAfter").GetInt32());
                break;
            case "coals":
                Assert.Equal("RATE_LIMIT_EXCEEDED", body.GetProperty("error").GetProperty("code").GetString());
                break;
            case "kolbo":
                Assert.False(body.GetProperty("status").GetBoolean());
                Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
                break;
        }

        Assert.Equal(0, sandbox.State.Account(provider, Key).AcceptedSubmissions);
    }

    [Theory]
    [InlineData("koala")]
    [InlineData("qolaba")]
    [InlineData("coals")]
    [InlineData("kolbo")]
    public async Task Server_error_is_a_500_that_accepts_and_charges_nothing(string provider)
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault(provider, Key, new SandboxFault(SandboxFaultKind.ServerError));
        using var http = Client(sandbox, provider, Key);

        var (response, body) = await http.PostJsonAsync(GeneratePath(provider), MinimalRequest(provider));
        var account = sandbox.State.Account(provider, Key);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(body.TryGetProperty("error", out _));
        Assert.Equal((0, 0m), (account.AcceptedSubmissions, account.CreditsCharged));
    }

    [Fact]
    public async Task A_fault_with_a_count_applies_to_that_many_requests_then_stops()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("coals", Key, new SandboxFault(SandboxFaultKind.RateLimited, Count: 2));
        using var coals = CoalsClient(sandbox, Key);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await coals.PostJsonAsync("generate", """{"prompt":"fox"}""")).Response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
    }

    [Fact]
    public async Task A_fault_only_touches_its_own_key()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("koala", "other-key", new SandboxFault(SandboxFaultKind.ServerError));
        using var koala = KoalaClient(sandbox, Key);

        var (response, _) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_fault_for_status_leaves_the_submission_alone_and_hits_the_poll()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("qolaba", Key, new SandboxFault(SandboxFaultKind.ServerError, OnlyPath: "status"));
        using var qolaba = QolabaClient(sandbox, Key);

        var (accepted, task) = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4","prompt":"cat","celery":true}""");
        var path = $"api/v1/tasks/{task.GetProperty("task_id").GetString()}";
        var (failedPoll, _) = await qolaba.GetJsonAsync(path);
        var (nextPoll, status) = await qolaba.GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, failedPoll.StatusCode);
        Assert.Equal(HttpStatusCode.OK, nextPoll.StatusCode);
        Assert.Equal("SUCCESS", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Hang_never_answers_until_the_client_gives_up_and_accepts_nothing()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("kolbo", Key, new SandboxFault(SandboxFaultKind.Hang));
        using var kolbo = KolboClient(sandbox, Key);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var hanging = kolbo.PostAsync("v1/generate/image", Json("""{"prompt":"cat"}"""), giveUp.Token);
        await UntilRecordedAsync(sandbox);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging);
        var (next, _) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat"}""");

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(1, sandbox.State.Account("kolbo", Key).AcceptedSubmissions);
    }

    [Fact]
    public async Task Slow_answers_late_but_whole()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("coals", Key, new SandboxFault(SandboxFaultKind.Slow, Delay: TimeSpan.FromHours(1)));
        sandbox.State.EnqueueFault("coals", Key, new SandboxFault(SandboxFaultKind.Slow, Delay: TimeSpan.FromMilliseconds(20)));
        using var coals = CoalsClient(sandbox, Key);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var slow = coals.PostAsync("generate", Json("""{"prompt":"fox"}"""), giveUp.Token);
        await UntilRecordedAsync(sandbox);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);
        var (late, body) = await coals.PostJsonAsync("generate", """{"prompt":"fox"}""");

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(1, sandbox.State.Account("coals", Key).AcceptedSubmissions);
    }

    [Fact]
    public async Task Malformed_json_is_a_200_with_a_truncated_body_after_the_submission_was_accepted()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("koala", Key, new SandboxFault(SandboxFaultKind.MalformedJson));
        using var koala = KoalaClient(sandbox, Key);

        using var response = await koala.PostAsync("api/image-generation/", Json("""{"prompt":"cat"}"""), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
        Assert.StartsWith("[{\"url\":", text);
        Assert.Equal((1, 1m), (sandbox.State.Account("koala", Key).AcceptedSubmissions, sandbox.State.Account("koala", Key).CreditsCharged));
    }

    [Theory]
    [InlineData("koala", 1)]
    [InlineData("qolaba", 4)]
    [InlineData("coals", 2)]
    [InlineData("kolbo", 2)]
    public async Task Drop_after_accept_charges_the_submission_and_cuts_the_connection(string provider, int credits)
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault(provider, Key, new SandboxFault(SandboxFaultKind.DropAfterAccept));
        using var http = Client(sandbox, provider, Key);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.PostAsync(GeneratePath(provider), Json(MinimalRequest(provider)), Ct));
        var account = sandbox.State.Account(provider, Key);

        Assert.Equal((1, (decimal)credits), (account.AcceptedSubmissions, account.CreditsCharged));
    }

    [Fact]
    public async Task Task_fails_makes_the_koala_image_url_answer_500()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("koala", Key, new SandboxFault(SandboxFaultKind.TaskFails));
        using var koala = KoalaClient(sandbox, Key);

        var (accepted, images) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat"}""");
        using var image = await koala.GetAsync(images[0].GetProperty("url").GetString(), Ct);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, image.StatusCode);
        Assert.Contains("failed", (await image.ReadJsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Task_fails_turns_a_qolaba_task_to_failed_with_error_detail_and_no_charge()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("qolaba", Key, new SandboxFault(SandboxFaultKind.TaskFails));
        using var qolaba = QolabaClient(sandbox, Key);

        var (_, task) = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4","prompt":"cat","celery":true}""");
        var (_, status) = await qolaba.GetJsonAsync($"api/v1/tasks/{task.GetProperty("task_id").GetString()}");
        var account = sandbox.State.Account("qolaba", Key);

        Assert.Equal("FAILED", status.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(status.GetProperty("error").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(status.GetProperty("error_detail").GetString()));
        Assert.False(status.TryGetProperty("output", out _));
        Assert.Equal((1, 0m, 1000m), (account.AcceptedSubmissions, account.CreditsCharged, account.Balance));
    }

    [Fact]
    public async Task Task_fails_is_a_coals_500_generation_failed_without_charge()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("coals", Key, new SandboxFault(SandboxFaultKind.TaskFails));
        using var coals = CoalsClient(sandbox, Key);

        var (response, body) = await coals.PostJsonAsync("generate", """{"prompt":"fox"}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("GENERATION_FAILED", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0m, sandbox.State.Account("coals", Key).CreditsCharged);
    }

    [Fact]
    public async Task Task_fails_waits_for_a_generation_and_is_not_used_up_by_a_models_request()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("kolbo", Key, new SandboxFault(SandboxFaultKind.TaskFails));
        using var kolbo = KolboClient(sandbox, Key);

        var (models, _) = await kolbo.GetJsonAsync("v1/models?type=image");
        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat"}""");
        var (_, status) = await kolbo.GetJsonAsync(started.GetProperty("poll_url").GetString()!.TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Equal("failed", status.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Kolbo_refunds_a_generation_that_fails()
    {
        await using var sandbox = await StartAsync(o => o.KolboStepDelay = TimeSpan.FromHours(1));
        sandbox.State.EnqueueFault("kolbo", Key, new SandboxFault(SandboxFaultKind.TaskFails));
        using var kolbo = KolboClient(sandbox, Key);

        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat","model":"nano-banana-2","num_images":2}""");
        var poll = started.GetProperty("poll_url").GetString()!.TrimStart('/');
        var balanceWhileProcessing = sandbox.State.Account("kolbo", Key).Balance;
        var states = new List<string>();
        JsonElement last = default;
        for (var i = 0; i < 4; i++)
        {
            (_, last) = await kolbo.GetJsonAsync(poll);
            states.Add(last.GetProperty("state").GetString()!);
        }

        var account = sandbox.State.Account("kolbo", Key);
        Assert.Equal(984m, balanceWhileProcessing);
        Assert.Equal(["processing", "processing", "processing", "failed"], states);
        Assert.False(string.IsNullOrWhiteSpace(last.GetProperty("error").GetString()));
        Assert.Equal((16m, 16m, 1000m), (account.CreditsCharged, account.CreditsRefunded, account.Balance));
    }

    [Fact]
    public async Task Kolbo_refunds_a_failed_generation_once_however_often_it_is_polled()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("kolbo", Key, new SandboxFault(SandboxFaultKind.TaskFails));
        using var kolbo = KolboClient(sandbox, Key);

        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat"}""");
        var poll = started.GetProperty("poll_url").GetString()!.TrimStart('/');
        for (var i = 0; i < 3; i++)
        {
            await kolbo.GetJsonAsync(poll);
        }

        var account = sandbox.State.Account("kolbo", Key);
        Assert.Equal((2m, 2m, 1000m), (account.CreditsCharged, account.CreditsRefunded, account.Balance));
    }
}
