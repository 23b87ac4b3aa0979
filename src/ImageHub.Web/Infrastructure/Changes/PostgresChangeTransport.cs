using System.Text.Json;
using System.Threading.Channels;
using ImageHub.Web.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ImageHub.Web.Infrastructure.Changes;

/// <summary>
/// Carries <see cref="ChangeBus"/> changes between instances on PostgreSQL: LISTEN on one dedicated connection per
/// instance (reopened with backoff when it drops, checked with a ping when quiet), NOTIFY in batches on pooled
/// connections. Each payload names the instance it came from, so an instance skips its own (it delivered them at once).
/// On SQLite it does nothing: one process, the bus's local delivery is all.
/// </summary>
public sealed class PostgresChangeTransport(
    ChangeBus bus,
    IOptions<DatabaseOptions> database,
    IConfiguration configuration,
    ILogger<PostgresChangeTransport> logger) : BackgroundService
{
    public const string Channel = "imagehub_changes";
    private const int MaxPayloadBytes = 7900; // PostgreSQL refuses NOTIFY payloads of 8000 bytes or more
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan QuietPing = TimeSpan.FromSeconds(30);

    private readonly string instance = Guid.NewGuid().ToString("N")[..12];
    private readonly Channel<object> outgoing = System.Threading.Channels.Channel.CreateBounded<object>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<object> incoming = System.Threading.Channels.Channel.CreateUnbounded<object>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NpgsqlDataSource? dataSource;

    /// <summary>Completes once this instance listens (at once on SQLite): from then on it hears every other instance's changes.</summary>
    public Task Listening => listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres)
        {
            listening.TrySetResult();
            return;
        }
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName))
        {
            KeepAlive = 15, // a dead peer is noticed by TCP, not only by the next ping
            ApplicationName = "ImageHub changes",
        };
        dataSource = NpgsqlDataSource.Create(connectionString);
        bus.ConnectRemote(outgoing.Writer);
        try
        {
            await Task.WhenAll(ListenAsync(dataSource, stoppingToken), SendAsync(dataSource, stoppingToken), DispatchAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            bus.ConnectRemote(null);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (dataSource is not null) await dataSource.DisposeAsync();
    }

    private async Task ListenAsync(NpgsqlDataSource source, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                if (!listening.Task.IsCompleted) logger.LogInformation("Listening for other instances' changes (PostgreSQL channel {Channel}).", Channel);
                else logger.LogInformation("Listening again for other instances' changes; changes made while the connection was down were not heard.");
                listening.TrySetResult();
                backoff = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(QuietPing, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning("The change listener lost its PostgreSQL connection ({Reason}); trying again in {Delay}.", e.Message, backoff);
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(e.Payload);
            if (envelope is null || envelope.From == instance) return;
            if (bus.Read(envelope.Type, envelope.Change) is { } change) incoming.Writer.TryWrite(change);
        }
        catch (JsonException ex)
        {
            logger.LogWarning("A change notification could not be read and was skipped: {Reason}", ex.Message);
        }
    }

    /// <summary>Delivers other instances' changes here, off the listening connection (a slow page never delays it).</summary>
    private async Task DispatchAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in incoming.Reader.ReadAllAsync(stoppingToken))
        {
            await bus.DeliverAsync(change);
        }
    }

    private async Task SendAsync(NpgsqlDataSource source, CancellationToken stoppingToken)
    {
        var batch = new List<string>(64);
        while (await outgoing.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < 64 && outgoing.Reader.TryRead(out var change))
            {
                var payload = JsonSerializer.Serialize(new Envelope(instance, ChangeBus.NameOf(change.GetType()), JsonSerializer.SerializeToElement(change, change.GetType())));
                if (System.Text.Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes)
                {
                    logger.LogWarning("A {Change} is too large to send to the other instances and was skipped.", change.GetType().Name);
                    continue;
                }
                batch.Add(payload);
            }
            if (batch.Count == 0) continue;
            try
            {
                await using var command = source.CreateBatch();
                foreach (var payload in batch)
                {
                    command.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, $2)") { Parameters = { new() { Value = Channel }, new() { Value = payload } } });
                }
                await command.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is NpgsqlException or IOException or TimeoutException)
            {
                logger.LogWarning("{Count} changes did not reach the other instances ({Reason}); their pages catch up on the next change or reload.", batch.Count, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private sealed record Envelope(string From, string Type, JsonElement Change);
}
