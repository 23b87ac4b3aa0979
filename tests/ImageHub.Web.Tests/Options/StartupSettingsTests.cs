using ImageHub.Tests.Infrastructure;

namespace ImageHub.Web.Tests.Options;

/// <summary>A bad setting stops the start with a message naming the setting to change (one per options class with rules).</summary>
public sealed class StartupSettingsTests
{
    [Theory]
    [InlineData("Jobs:DefaultConcurrency", "0", "Jobs:DefaultConcurrency must be between 1 and 1000.")]
    [InlineData("Jobs:MaxPollDelay", "00:00:00.010", "Jobs:DefaultPollDelay (00:00:01) must lie between Jobs:MinPollDelay (00:00:00.0200000) and Jobs:MaxPollDelay (00:00:00.0100000).")]
    [InlineData("Jobs:SubmissionsPerMinute:kolbo", "-3", "Jobs:SubmissionsPerMinute:kolbo is -3; it must be at least 1 (leave it out for no limit).")]
    [InlineData("Storage:Root", " ", "Storage:Root is empty.")]
    [InlineData("Database:Provider", "Postgres", "Database:Provider is Postgres but ConnectionStrings:ImageHub is empty.")]
    [InlineData("Workspaces:InviteLifetime", "00:00:00", "Workspaces:InviteLifetime must be between 00:01:00 (a minute) and 365.00:00:00 (a year).")]
    [InlineData("Bootstrap:AdminEmail", "admin@example.com", "Bootstrap:AdminEmail and Bootstrap:AdminPassword go together")]
    public async Task A_bad_setting_stops_the_start_with_a_message_naming_it(string setting, string value, string message)
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite, new Dictionary<string, string?> { [setting] = value });

        var refused = Record.Exception(() => app.Services);

        Assert.NotNull(refused);
        var messages = string.Join(" | ", Chain(refused).Select(e => e.Message));
        Assert.Contains(message, messages);
    }

    [Fact]
    public async Task The_default_settings_start()
    {
        await using var app = ImageHubApp.Create(DatabaseKind.Sqlite);

        using var client = app.CreateClient();
        var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.True(live.IsSuccessStatusCode);
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain)) yield return inner;
            }
        }
    }
}
