using ImageHub.Sandbox.Qolaba;

namespace ImageHub.Sandbox;

/// <summary>One image the sandbox promised at a URL (any provider).</summary>
internal sealed class SandboxImage(string id, string provider, string key, string prompt, long seed, int width, int height, DateTimeOffset createdAt)
{
    public string Id { get; } = id;
    public string Provider { get; } = provider;
    public string Key { get; } = key;
    public string Prompt { get; } = prompt;
    public long Seed { get; } = seed;
    public int Width { get; } = width;
    public int Height { get; } = height;
    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>Koala: the URL blocks until then.</summary>
    public DateTimeOffset ReadyAt { get; init; } = createdAt;

    /// <summary>Koala TaskFails: the URL answers 500 once ready.</summary>
    public bool Fails { get; init; }

    /// <summary>Coals: deleted from the gallery.</summary>
    public bool Deleted { get; set; }
}

/// <summary>Steps of a polled job: advances with time (one step per delay) and at least one step per poll.</summary>
internal static class Progression
{
    public static int Stage(DateTimeOffset createdAt, DateTimeOffset now, TimeSpan step, int previousPolls, int finalStage)
    {
        if (step <= TimeSpan.Zero)
        {
            return finalStage;
        }

        var byTime = (now - createdAt) / step;
        var stage = byTime >= finalStage ? finalStage : Math.Max(0, (int)byTime);
        return Math.Min(finalStage, Math.Max(stage, previousPolls));
    }
}

internal sealed class QolabaTask(string id, string key, DateTimeOffset createdAt, QolabaResult output, bool fails, bool finished = false)
{
    private readonly Lock gate = new();
    private int polls;

    public string Id { get; } = id;
    public string Key { get; } = key;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public QolabaResult Output { get; } = output;
    public bool Fails { get; } = fails;

    /// <summary>0 PENDING, 1 PROCESSING, 2 SUCCESS/FAILED.</summary>
    public int Poll(DateTimeOffset now, TimeSpan step)
    {
        lock (gate)
        {
            var stage = finished ? 2 : Progression.Stage(CreatedAt, now, step, polls, 2);
            polls++;
            return stage;
        }
    }
}

internal enum KolboState { Processing, Completed, Failed, Cancelled }

internal sealed class KolboGeneration(string id, string key, string model, string prompt, decimal credits, IReadOnlyList<string> imageIds, DateTimeOffset createdAt, bool fails)
{
    public const int FinalStage = 3;
    private readonly Lock gate = new();
    private int polls;
    private int stage;
    private KolboState? terminal;

    public string Id { get; } = id;
    public string Key { get; } = key;
    public string Model { get; } = model;
    public string Prompt { get; } = prompt;
    public decimal Credits { get; } = credits;
    public IReadOnlyList<string> ImageIds { get; } = imageIds;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public bool Fails { get; } = fails;

    /// <summary>Advances the generation; refunds exactly once when it fails.</summary>
    public (KolboState State, int Progress) Observe(SandboxState state, bool countAsPoll)
    {
        lock (gate)
        {
            if (terminal is { } done)
            {
                return (done, ProgressOf(stage, done));
            }

            stage = Math.Max(stage, Progression.Stage(CreatedAt, state.Time.GetUtcNow(), state.Options.KolboStepDelay, countAsPoll ? polls : 0, FinalStage));
            if (countAsPoll)
            {
                polls++;
            }

            if (stage < FinalStage)
            {
                return (KolboState.Processing, ProgressOf(stage, KolboState.Processing));
            }

            terminal = Fails ? KolboState.Failed : KolboState.Completed;
            if (Fails)
            {
                state.RawAccount(SandboxProviders.Kolbo, Key).Refund(Credits, Prompt);
            }

            return (terminal.Value, ProgressOf(stage, terminal.Value));
        }
    }

    /// <summary>Cancels a generation still processing (credits refunded); false when it already finished.</summary>
    public bool TryCancel(SandboxState state, out KolboState current)
    {
        var (observed, _) = Observe(state, countAsPoll: false);
        lock (gate)
        {
            if (observed != KolboState.Processing || terminal is not null)
            {
                current = terminal ?? observed;
                return false;
            }

            terminal = KolboState.Cancelled;
            current = KolboState.Cancelled;
        }

        state.RawAccount(SandboxProviders.Kolbo, Key).Refund(Credits, Prompt);
        return true;
    }

    private static int ProgressOf(int stage, KolboState state) => state switch
    {
        KolboState.Completed => 100,
        _ => Math.Min(stage, FinalStage - 1) * 30 + 10,
    };
}
