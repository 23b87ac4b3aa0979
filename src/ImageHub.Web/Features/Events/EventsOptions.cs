using System.ComponentModel.DataAnnotations;

namespace ImageHub.Web.Features.Events;

/// <summary><c>Events:*</c>: the event log behind <c>GET /api/v1/events</c>. Checked on start.</summary>
public sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>How long the event log keeps a change (a client reconnecting with Last-Event-ID within it misses nothing).</summary>
    [Range(typeof(TimeSpan), "00:10:00", "7.00:00:00", ErrorMessage = "Events:Retention must be between {1} and {2}.")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often an idle stream sends a comment line, so proxies keep it open.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Events:Heartbeat must be between {1} and {2}.")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);
}
