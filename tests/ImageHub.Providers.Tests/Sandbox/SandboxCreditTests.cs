using System.Net;
using System.Net.Http.Json;
using static ImageHub.Providers.Tests.Sandbox.SandboxTestKit;

namespace ImageHub.Providers.Tests.Sandbox;

public sealed class SandboxCreditTests
{
    [Theory]
    [InlineData("standard", null, 2, 2)]
    [InlineData("premium", null, 2, 10)]
    [InlineData("gpt-image-2", "fast", 3, 3)]
    [InlineData("gpt-image-2", "medium", 1, 8)]
    [InlineData("gpt-image-2", "high", 2, 40)]
    [InlineData("ideogram-3.0", null, 4, 12)]
    [InlineData("nano-banana-2", null, 1, 5)]
    public async Task Koala_charges_per_image_by_model_and_quality(string model, string? quality, int images, decimal expected)
    {
        await using var sandbox = await StartAsync();
        using var koala = KoalaClient(sandbox);
        var qualityField = quality is null ? "" : $",\"quality\":\"{quality}\"";

        var (response, body) = await koala.PostJsonAsync("api/image-generation/", $$"""{"prompt":"cat","model":"{{model}}","numImages":{{images}}{{qualityField}}}""");
        var account = sandbox.State.Account("koala", "koala-key");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(images, body.GetArrayLength());
        Assert.Equal(expected, account.CreditsCharged);
        Assert.Equal(1000 - expected, account.Balance);
        Assert.Equal(1, account.AcceptedSubmissions);
    }

    [Fact]
    public async Task Koala_out_of_credits_is_a_402_and_nothing_is_charged()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.SetBalance("koala", "koala-key", 4);
        using var koala = KoalaClient(sandbox);

        var (response, body) = await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat","model":"premium"}""");
        var account = sandbox.State.Account("koala", "koala-key");

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Contains("Insufficient credits", body.GetProperty("error").GetString());
        Assert.Equal((4m, 0m, 0), (account.Balance, account.CreditsCharged, account.AcceptedSubmissions));
    }

    [Fact]
    public async Task Qolaba_usage_is_quality_pricing_over_half_a_cent_times_images_and_402_when_spent()
    {
        await using var sandbox = await StartAsync();
        using var qolaba = QolabaClient(sandbox);

        var (ok, body) = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/nano-banana-pro","prompt":"cat","quality":"4K","num_images":2}""");
        sandbox.State.SetBalance("qolaba", "qolaba-key", 47);
        var (refused, refusal) = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/nano-banana-pro","prompt":"cat","quality":"4K"}""");
        var usage = body.GetProperty("usage");
        var account = sandbox.State.Account("qolaba", "qolaba-key");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal((2, 0.48m, 96m), (usage.GetProperty("images_generated").GetInt32(), usage.GetProperty("cost_usd").GetDecimal(), usage.GetProperty("cost_credits").GetDecimal()));
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal("Insufficient credits", refusal.GetProperty("error").GetString());
        Assert.Equal((47m, 96m, 1), (account.Balance, account.CreditsCharged, account.AcceptedSubmissions));
    }

    [Fact]
    public async Task Coals_charges_two_credits_per_call_reported_once_in_an_array_and_402_when_spent()
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox);

        var (_, several) = await coals.PostJsonAsync("generate", """{"prompt":"fox","num_images":3}""");
        sandbox.State.SetBalance("coals", "coals-key", 1);
        var (refused, refusal) = await coals.PostJsonAsync("generate", """{"prompt":"fox"}""");
        var account = sandbox.State.Account("coals", "coals-key");

        Assert.Equal(3, several.GetArrayLength());
        Assert.Equal(2, several.EnumerateArray().Sum(i => i.GetProperty("credits_charged").GetDecimal()));
        Assert.Equal(2, several[0].GetProperty("credits_charged").GetDecimal());
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal("INSUFFICIENT_CREDITS", refusal.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal((1m, 2m, 1), (account.Balance, account.CreditsCharged, account.AcceptedSubmissions));
    }

    [Fact]
    public async Task Coals_quota_is_free_and_reports_what_remains()
    {
        await using var sandbox = await StartAsync();
        using var coals = CoalsClient(sandbox);
        await coals.PostJsonAsync("generate", """{"prompt":"fox"}""");

        var (response, body) = await coals.GetJsonAsync("quota");
        await coals.GetJsonAsync("quota");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(998, body.GetProperty("quota").GetProperty("credits_remaining").GetDecimal());
        Assert.Equal(2m, sandbox.State.Account("coals", "coals-key").CreditsCharged);
    }

    [Fact]
    public async Task Kolbo_charges_model_credit_times_images_at_submit_and_400s_when_spent()
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox);

        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat","model":"nano-banana-pro","num_images":2}""");
        sandbox.State.SetBalance("kolbo", "kolbo_test_key", 7);
        var (refused, refusal) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat","model":"nano-banana-2"}""");
        var (_, credits) = await kolbo.GetJsonAsync("v1/account/credits");

        Assert.Equal(30, started.GetProperty("credits_charged").GetDecimal());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("INSUFFICIENT_CREDITS", refusal.GetProperty("code").GetString());
        Assert.Equal(7, credits.GetProperty("credits").GetProperty("total").GetDecimal());
        Assert.Equal(30m, sandbox.State.Account("kolbo", "kolbo_test_key").CreditsCharged);
    }

    [Fact]
    public async Task Kolbo_smart_select_reports_model_auto()
    {
        await using var sandbox = await StartAsync();
        using var kolbo = KolboClient(sandbox);

        var (_, started) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"cat"}""");

        Assert.Equal("auto", started.GetProperty("model").GetString());
        Assert.Equal(2, started.GetProperty("credits_charged").GetDecimal());
    }

    [Fact]
    public async Task Balances_are_kept_per_key_and_per_provider()
    {
        await using var sandbox = await StartAsync(o => o.DefaultBalance = 50);
        using var alice = KoalaClient(sandbox, "alice");
        using var bob = KoalaClient(sandbox, "bob");

        await alice.PostJsonAsync("api/image-generation/", """{"prompt":"cat","numImages":4}""");

        Assert.Equal(46m, sandbox.State.Account("koala", "alice").Balance);
        Assert.Equal(50m, sandbox.State.Account("koala", "bob").Balance);
        Assert.Equal(50m, sandbox.State.Account("kolbo", "alice").Balance);
    }

    [Fact]
    public async Task Control_endpoints_read_an_account_and_set_its_balance()
    {
        await using var sandbox = await StartAsync();
        using var control = Plain(sandbox.RootUri);
        using var koala = KoalaClient(sandbox, "ops-key");
        await koala.PostJsonAsync("api/image-generation/", """{"prompt":"cat"}""");

        using var put = await control.PutAsync("_control/accounts/koala/ops-key/balance", Json("""{"credits":12.5}"""), Ct);
        var (_, account) = await control.GetJsonAsync("_control/accounts/koala/ops-key");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(12.5m, account.GetProperty("balance").GetDecimal());
        Assert.Equal(1, account.GetProperty("acceptedSubmissions").GetInt32());
        Assert.Equal(1, account.GetProperty("creditsCharged").GetDecimal());
        Assert.Equal(0, account.GetProperty("creditsRefunded").GetDecimal());
    }

    [Theory]
    [InlineData("_control/accounts/openai/k/balance", """{"credits":5}""", HttpStatusCode.NotFound)]
    [InlineData("_control/accounts/koala/k/balance", """{"credits":-1}""", HttpStatusCode.BadRequest)]
    [InlineData("_control/accounts/koala/k/balance", """{"credits":"many"}""", HttpStatusCode.BadRequest)]
    [InlineData("_control/accounts/koala/k/balance", """{}""", HttpStatusCode.BadRequest)]
    public async Task Control_balance_refuses_wrong_input_with_a_message(string path, string json, HttpStatusCode expected)
    {
        await using var sandbox = await StartAsync();
        using var control = Plain(sandbox.RootUri);

        using var response = await control.PutAsync(path, Json(json), Ct);
        var body = await response.ReadJsonAsync();

        Assert.Equal(expected, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
        Assert.Equal(1000m, sandbox.State.Account("koala", "k").Balance);
    }

    [Fact]
    public async Task Control_fault_endpoint_queues_a_fault_for_that_key()
    {
        await using var sandbox = await StartAsync();
        using var control = Plain(sandbox.RootUri);
        using var qolaba = QolabaClient(sandbox);

        using var queued = await control.PostAsJsonAsync("_control/faults",
            new { provider = "qolaba", key = "qolaba-key", kind = "RateLimited", retryAfterSeconds = 9 }, Ct);
        var (limited, body) = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4","prompt":"cat"}""");
        var (next, _) = await qolaba.PostJsonAsync("api/v1/images/generate", """{"model":"vertex/imagen-4","prompt":"cat"}""");

        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(9, body.GetProperty("retryAfter").GetInt32());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Control_fault_endpoint_names_each_wrong_field()
    {
        await using var sandbox = await StartAsync();
        using var control = Plain(sandbox.RootUri);

        using var response = await control.PostAsync("_control/faults", Json("""{"provider":"openai","kind":"Explode","count":0}"""), Ct);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["count", "key", "kind", "provider"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Parallel_submissions_never_spend_more_than_the_balance()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.SetBalance("koala", "koala-key", 10);
        using var koala = KoalaClient(sandbox);

        var responses = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => koala.PostAsync("api/image-generation/", Json("""{"prompt":"cat"}"""), Ct)));
        var account = sandbox.State.Account("koala", "koala-key");

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(15, responses.Count(r => r.StatusCode == HttpStatusCode.PaymentRequired));
        Assert.Equal((0m, 10m, 10), (account.Balance, account.CreditsCharged, account.AcceptedSubmissions));
    }

    [Fact]
    public async Task The_charge_log_lists_each_accepted_prompt_and_each_refund_but_not_what_was_refused()
    {
        await using var sandbox = await StartAsync();
        sandbox.State.EnqueueFault("kolbo", "kolbo_test_key", new ImageHub.Sandbox.SandboxFault(ImageHub.Sandbox.SandboxFaultKind.ServerError));
        sandbox.State.EnqueueFault("kolbo", "kolbo_test_key", new ImageHub.Sandbox.SandboxFault(ImageHub.Sandbox.SandboxFaultKind.TaskFails));
        using var kolbo = KolboClient(sandbox);
        using var control = Plain(sandbox.RootUri);

        var (refused, _) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"refused fox","enhance_prompt":false}""");
        var (_, failing) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"failing fox","enhance_prompt":false}""");
        var (_, fine) = await kolbo.PostJsonAsync("v1/generate/image", """{"prompt":"fine fox","enhance_prompt":false}""");
        sandbox.State.Account("kolbo", "kolbo_test_key"); // lets the failing generation fail (and refund) once its time has come
        var (_, log) = await control.GetJsonAsync("_control/accounts/kolbo/kolbo_test_key/charges");
        var lines = log.EnumerateArray().Select(c => (c.GetProperty("kind").GetString(), c.GetProperty("credits").GetDecimal(), c.GetProperty("prompt").GetString())).ToList();

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        var charged = failing.GetProperty("credits_charged").GetDecimal();
        Assert.Equal(charged, fine.GetProperty("credits_charged").GetDecimal());
        Assert.Equal([("Accepted", charged, "failing fox"), ("Accepted", charged, "fine fox"), ("Refunded", charged, "failing fox")], lines);
    }
}
