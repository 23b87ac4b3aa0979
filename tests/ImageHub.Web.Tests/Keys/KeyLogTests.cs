using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using ImageHub.Web.Features.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImageHub.Web.Tests.Keys;

/// <summary>Whatever the app logs while keys are added, checked, refused, rotated and used, no line holds a secret.</summary>
public sealed class KeyLogTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_log_line_carries_a_secret_through_add_check_refusal_rotation_and_use()
    {
        await using var team = await KeyTeam.CreateAsync();
        var lines = new ConcurrentQueue<string>();
        team.App.Services.GetRequiredService<ILoggerFactory>().AddProvider(new CapturingLoggerProvider(lines));
        const string good = "kolbo_live_LogSecret_6a2f90d1", bad = "bad_kolbo_LogSecret_77e3aa01", rotated = "coals_LogSecret_rotated_41bc";

        var created = await team.OwnerBrowser.Http.PostAsync("/api/v1/keys", KeyTeam.Json(new { provider = "kolbo", label = "Logged", secret = good }), Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        var wrong = await team.AddKeyAsync(KeyTeam.Owner, "kolbo", "Logged wrong", bad);
        var coals = await team.AddKeyAsync(KeyTeam.Owner, "coals", "Logged coals", "coals_LogSecret_first_0000");
        await team.AsAsync(KeyTeam.Owner, (v, a) => v.CheckAsync(a, id, Ct));
        await team.AsAsync(KeyTeam.Owner, (v, a) => v.CheckAsync(a, wrong.Id, Ct));
        await team.AsAsync(KeyTeam.Owner, (v, a) => v.RotateAsync(a, coals.Id, rotated, cancellationToken: Ct));
        await team.AsAsync(KeyTeam.Owner, (v, a) => v.CheckAsync(a, coals.Id, Ct));
        await team.ResolverAsync(async r => (await r.GetCredentialAsync(id, "kolbo", Ct)).ToString());

        Assert.NotEmpty(lines); // the capture works: the app logs (requests, key added, provider calls)
        Assert.Contains(lines, l => l.Contains($"Key {id}", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("LogSecret", StringComparison.Ordinal));
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
