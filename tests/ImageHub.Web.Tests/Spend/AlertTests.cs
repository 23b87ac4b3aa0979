using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageHub.Tests.Infrastructure;
using ImageHub.Web.Features.Spend.Budgets;
using ImageHub.Web.Features.Webhooks;
using ImageHub.Web.Tests.Jobs;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Tests.Spend;

/// <summary>Threshold alerts (in-app, webhook, e-mail) and webhook endpoints, against a real receiver and a real SMTP sink on loopback.</summary>
public sealed class AlertTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<DatabaseKind> BothDatabases => new(DatabaseKind.Sqlite, DatabaseKind.Postgres);

    private static async Task<(Guid Id, string Secret)> RegisterAsync(JobsHost host, string url, params string[] events)
    {
        using var response = await host.Api.PostAsJsonAsync("/api/v1/webhooks", new { url, events }, Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return (body.GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!);
    }

    /// <summary>Verifies a delivery as a receiver would, by the Standard Webhooks rule.</summary>
    private static void AssertSigned(ReceivedWebhook received, string secret)
    {
        Assert.StartsWith("whsec_", secret);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.{received.Body}")));
        Assert.Contains(expected, received.Signature.Split(' '));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        giveUp.CancelAfter(TimeSpan.FromMinutes(2)); // a hang guard, not an assertion on time
        while (!condition())
        {
            if (giveUp.IsCancellationRequested) Assert.Fail($"Never happened: {what}");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    [Theory]
    [MemberData(nameof(BothDatabases))]
    public async Task Each_threshold_alert_is_delivered_once_signed_retried_after_a_500_notified_in_app_and_mailed(DatabaseKind kind)
    {
        await using var receiver = await WebhookSink.StartAsync(failFirstOn: "/alerts");
        using var smtp = new SmtpSink();
        await using var host = JobsHost.Start(kind, new Dictionary<string, string?>
        {
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:PollInterval"] = "00:00:00.050",
            ["Webhooks:RetryBaseDelay"] = "00:01:00",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "imagehub@example.com",
        });
        var alerts = await RegisterAsync(host, receiver.BaseUrl + "/alerts", WebhookEvents.BudgetThreshold);
        var outcomes = await RegisterAsync(host, receiver.BaseUrl + "/outcomes", WebhookEvents.GenerationSucceeded, WebhookEvents.GenerationFailed);
        var budget = await BudgetTests.CreateBudgetAsync(host, new { name = "Coals month", scope = "provider", provider = "coals", period = "month", limitCredits = 10, enforcement = "soft" });

        // Six calls of 2 credits: 20, 40, 60 (50 % crossed), 80 (80 %), 100 (100 %), 120 % (nothing new: once per period).
        for (var i = 0; i < 6; i++) await host.WaitForAsync(await host.SubmitAsync("coals", $"call {i}"));

        // The first threshold delivery got a 500; its retry waits for the backoff (a minute on the app's clock).
        WebhookDelivery? pending = null;
        await WaitUntilAsync(() =>
        {
            var rows = host.InDatabaseAsync(db => db.Set<WebhookDelivery>().IgnoreQueryFilters().AsNoTracking().Where(d => d.EndpointId == alerts.Id).ToListAsync(Ct)).GetAwaiter().GetResult();
            pending = rows.SingleOrDefault(d => d.Status == WebhookDeliveryStatus.Pending && d.Attempts == 1);
            return pending is not null && rows.Count(d => d.Status == WebhookDeliveryStatus.Delivered) == 2;
        }, "two threshold deliveries delivered and one waiting for its retry");
        var failed = receiver.Received.First(r => r.Path == "/alerts");
        Assert.Equal(500, failed.Answered);
        Assert.Equal(500, pending!.LastStatusCode);
        Assert.Equal(pending.LastAttemptAt!.Value + TimeSpan.FromMinutes(1), pending.NextAttemptAt);
        host.App.Clock.Advance(TimeSpan.FromMinutes(2));
        await WaitUntilAsync(() => receiver.Received.Count(r => r.Path == "/alerts") >= 4, "the retry");

        var thresholds = receiver.Received.Where(r => r.Path == "/alerts").ToList();
        Assert.Equal(4, thresholds.Count);
        Assert.Equal(failed.Id, thresholds.Last().Id); // the retry is the same message
        var delivered = thresholds.Where(r => r.Answered == 200).ToList();
        Assert.Equal(3, delivered.Count);
        var percentages = new List<int>();
        foreach (var received in thresholds)
        {
            AssertSigned(received, alerts.Secret);
            var body = JsonDocument.Parse(received.Body).RootElement;
            Assert.Equal("budget.threshold", body.GetProperty("type").GetString());
            Assert.True(body.TryGetProperty("timestamp", out _));
            var data = body.GetProperty("data");
            Assert.Equal(budget.GetProperty("id").GetGuid(), data.GetProperty("budgetId").GetGuid());
            Assert.Equal(10m, data.GetProperty("limit").GetDecimal());
            Assert.Equal("2026-06-01T00:00:00+00:00", data.GetProperty("resetsAt").GetString());
            if (received.Answered == 200) percentages.Add(data.GetProperty("threshold").GetInt32());
        }
        Assert.Equal([50, 80, 100], percentages.Order().ToList());
        Assert.Equal(6m, JsonDocument.Parse(delivered.Single(r => r.Body.Contains("\"threshold\":50")).Body).RootElement.GetProperty("data").GetProperty("spent").GetDecimal());

        // Generation outcomes go to the endpoint that asked for them, signed with its own secret.
        await WaitUntilAsync(() => receiver.Received.Count(r => r.Path == "/outcomes") >= 6, "six generation.succeeded deliveries");
        Assert.All(receiver.Received.Where(r => r.Path == "/outcomes"), r =>
        {
            AssertSigned(r, outcomes.Secret);
            Assert.Equal("generation.succeeded", JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString());
        });

        // In-app: one notification per threshold for the owner (who is also the member concerned).
        var notes = await host.InDatabaseAsync(db => db.Set<Notification>().IgnoreQueryFilters().AsNoTracking().Select(n => n.Text).ToListAsync(Ct));
        Assert.Equal(3, notes.Count);
        Assert.Contains(notes, n => n.Contains("reached 80 %"));

        // E-mail: one per threshold, to the owner.
        await WaitUntilAsync(() => smtp.Messages.Count >= 3, "three alert e-mails");
        Assert.Equal(3, smtp.Messages.Count);
        Assert.All(smtp.Recipients, r => Assert.Equal(JobsHost.AdminEmail, r));
        Assert.Contains(smtp.Messages, m => m.Contains("Coals month", StringComparison.Ordinal) && m.Contains("100 %", StringComparison.Ordinal));

        // The delivery log shows the retry.
        var log = JsonDocument.Parse(await host.Api.GetStringAsync($"/api/v1/webhooks/{alerts.Id}/deliveries", Ct)).RootElement.GetProperty("items");
        Assert.Contains(log.EnumerateArray(), d => d.GetProperty("attempts").GetInt32() == 2 && d.GetProperty("status").GetString() == "Delivered");
    }

    public static TheoryData<string, string> BadWebhooks => new()
    {
        { """{"url":"ftp://example.com/hook","events":["budget.threshold"]}""", "url" },
        { """{"url":"not a url","events":["budget.threshold"]}""", "url" },
        { """{"url":"http://127.0.0.1:9/hook","events":["budget.threshold"]}""", "url" },
        { """{"url":"http://169.254.169.254/latest","events":["budget.threshold"]}""", "url" },
        { """{"url":"http://10.1.2.3/hook","events":["budget.threshold"]}""", "url" },
        { """{"url":"https://93.184.215.14/hook","events":["budget.crossed"]}""", "events" },
    };

    [Theory]
    [MemberData(nameof(BadWebhooks))]
    public async Task A_webhook_that_is_not_http_or_that_the_guard_refuses_is_a_400_naming_the_field(string body, string field)
    {
        await using var host = JobsHost.Start();
        using var response = await host.Api.PostAsync("/api/v1/webhooks", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {problem}");
    }

    [Fact]
    public async Task The_secret_is_shown_once_and_never_listed()
    {
        await using var host = JobsHost.Start(extra: new Dictionary<string, string?> { ["Webhooks:AllowPrivateNetworks"] = "true" });
        var (id, secret) = await RegisterAsync(host, "http://127.0.0.1:9/hook", WebhookEvents.GenerationFailed);
        var list = await host.Api.GetStringAsync("/api/v1/webhooks", Ct);
        Assert.Contains(id.ToString(), list);
        Assert.DoesNotContain(secret["whsec_".Length..], list);
        Assert.DoesNotContain("whsec_", list);
        using var deleted = await host.Api.DeleteAsync($"/api/v1/webhooks/{id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.DoesNotContain(id.ToString(), await host.Api.GetStringAsync("/api/v1/webhooks", Ct));
    }
}
