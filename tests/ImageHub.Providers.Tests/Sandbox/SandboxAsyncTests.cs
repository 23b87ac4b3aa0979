using System.Net;
using System.Text.Json;
using static ImageHub.Providers.Tests.Sandbox.SandboxTestKit;

namespace ImageHub.Providers.Tests.Sandbox;

public sealed class SandboxAsyncTests
{
    [Fact]
    public async Task Koala_answers_the_post_at_once_but_the_image_url_blocks_until_ready()
    {
        await using var sandbox = await StartAsync(o => o.KoalaReadyDelay = TimeSpan.FromHours(1));
        using var koala = KoalaClient(sandbox);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var (response, images) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat","numImages":2}""");
        var fetch = koala.GetAsync(images[0].GetProperty("url").GetString(), giveUp.Token);
        await UntilRecordedAsync(sandbox, requests: 2);
        var stillWaiting = !fetch.IsCompleted;
        await giveUp.CancelAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, images.GetArrayLength());
        Assert.True(stillWaiting);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch);
    }

    [Fact]
    public async Task Koala_image_url_answers_once_the_ready_delay_has_passed()
    {
        await using var sandbox = await StartAsync(o => o.KoalaReadyDelay = TimeSpan.FromMilliseconds(150));
        using var koala = KoalaClient(sandbox);

        var (_, images) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat","size":"640x1536"}""");
        var png = await koala.GetPngAsync(images[0].GetProperty("url").GetString()!);

        Assert.Equal((640, 1536), (png.Width, png.Height));
    }

    [Fact]
    public async Task Qolaba_celery_task_moves_from_pending_through_processing_to_success_with_the_sync_shape()
    {
        await using var sandbox = await StartAsync(o => o.QolabaTaskStepDelay = TimeSpan.FromHours(1));
        using var qolaba = QolabaClient(sandbox);

        var (accepted, task) = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4","prompt":"cat","celery":true,"num_images":2,"seed":7}""");
        var taskId = task.GetProperty("task_id").GetString();
        var polls = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            polls.Add((await qolaba.GetJsonAsync($"api/v1/tasks/{taskId}")).Body);
        }

        var output = polls[2].GetProperty("output");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(("PENDING", "image"), (task.GetProperty("status").GetString(), task.GetProperty("type").GetString()));
        Assert.Equal(["PENDING", "PROCESSING", "SUCCESS"], polls.Select(p => p.GetProperty("status").GetString()));
        Assert.Equal(taskId, output.GetProperty("task_id").GetString());
        Assert.Equal(2, output.GetProperty("images").GetArrayLength());
        Assert.Equal(16m, output.GetProperty("usage").GetProperty("cost_credits").GetDecimal());
        Assert.Equal(7, output.GetProperty("seed").GetInt64());
        await qolaba.GetPngAsync(output.GetProperty("images")[1].GetProperty("url").GetString()!);
    }

    [Fact]
    public async Task Qolaba_sync_task_can_be_read_back_as_success()
    {
        await using var sandbox = await StartAsync(o => o.QolabaTaskStepDelay = TimeSpan.FromHours(1));
        using var qolaba = QolabaClient(sandbox);

        var (_, result) = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4","prompt":"cat"}""");
        var (response, task) = await qolaba.GetJsonAsync($"api/v1/tasks/{result.GetProperty("task_id").GetString()}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("SUCCESS", task.GetProperty("status").GetString());
        Assert.Equal(result.GetProperty("images")[0].GetProperty("url").GetString(), task.GetProperty("output").GetProperty("images")[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task Qolaba_task_is_not_visible_to_another_key()
    {
        await using var sandbox = await StartAsync();
        using var owner = QolabaClient(sandbox, "owner");
        using var stranger = QolabaClient(sandbox, "stranger");

        var (_, task) = await owner.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4","prompt":"cat","celery":true}""");
        var (response, body) = await stranger.GetJsonAsync($"api/v1/tasks/{task.GetProperty("task_id").GetString()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Not Found", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Kolbo_reports_growing_progress_then_completed_with_urls()
    {
        await using var sandbox = await StartAsync(o => o.KolboStepDelay = TimeSpan.FromHours(1));
        using var kolbo = KolboClient(sandbox);

        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat","model":"nano-banana-2","enhance_prompt":false}""");
        var poll = started.GetProperty("poll_url").GetString()!;
        var polls = new List<JsonElement>();
        for (var i = 0; i < 4; i++)
        {
            polls.Add((await kolbo.GetJsonAsync(poll.TrimStart('/'))).Body);
        }

        var result = polls[3].GetProperty("result");
        Assert.Equal($"/v1/generate/{started.GetProperty("generation_id").GetString()}/status", poll);
        Assert.True(started.GetProperty("poll_interval_hint").GetInt32() >= 1);
        Assert.Equal(["processing", "processing", "processing", "completed"], polls.Select(p => p.GetProperty("state").GetString()));
        Assert.Equal([10, 40, 70, 100], polls.Select(p => p.GetProperty("progress").GetInt32()));
        Assert.Equal(("nano-banana-2", "cat"), (result.GetProperty("model").GetString(), result.GetProperty("prompt_used").GetString()));
        Assert.Equal(1, result.GetProperty("urls").GetArrayLength());
    }

    [Fact]
    public async Task Kolbo_key_with_apipath_gets_the_host_absolute_poll_url_that_resolves_too()
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox, "kolbo_test_apipath");

        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat"}""");
        var poll = started.GetProperty("poll_url").GetString()!;
        var (response, status) = await kolbo.GetJsonAsync(new Uri(sandbox.RootUri, poll).AbsoluteUri);

        Assert.Equal($"/kolbo/api/v1/generate/{started.GetProperty("generation_id").GetString()}/status", poll);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("completed", status.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Kolbo_cancel_stops_a_processing_generation_and_refunds_it()
    {
        await using var sandbox = await StartAsync(o => o.KolboStepDelay = TimeSpan.FromHours(1));
        using var kolbo = KolboClient(sandbox);

        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat","model":"flux-2-pro"}""");
        var id = started.GetProperty("generation_id").GetString();
        var (cancelled, body) = await kolbo.PostJsonAsync($"v1/generate/{id}/cancel", "{}");
        var (_, status) = await kolbo.GetJsonAsync($"v1/generate/{id}/status");
        var account = sandbox.State.Account("kolbo", "kolbo_test_key");

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", body.GetProperty("state").GetString());
        Assert.Equal("cancelled", status.GetProperty("state").GetString());
        Assert.Equal((6m, 6m, 1000m), (account.CreditsCharged, account.CreditsRefunded, account.Balance));
    }

    [Fact]
    public async Task Kolbo_cannot_cancel_a_completed_generation_and_keeps_the_charge()
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox);

        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat"}""");
        var (response, body) = await kolbo.PostJsonAsync($"v1/generate/{started.GetProperty("generation_id").GetString()}/cancel", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("completed", body.GetProperty("error").GetString());
        Assert.Equal(0m, sandbox.State.Account("kolbo", "kolbo_test_key").CreditsRefunded);
    }

    [Fact]
    public async Task Kolbo_unknown_generation_is_a_404_in_its_shape()
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox);

        var (response, body) = await kolbo.GetJsonAsync("v1/generate/nope/status");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NOT_FOUND", body.GetProperty("code").GetString());
    }
}
