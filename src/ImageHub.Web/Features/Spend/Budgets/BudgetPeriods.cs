namespace ImageHub.Web.Features.Spend.Budgets;

/// <summary>
/// Where a budget's period starts and ends: at midnight of the calendar day, the Monday, or the first of the
/// month in the budget's IANA time zone, as instants (so a day across a DST change is 23 or 25 hours long).
/// A total budget has one period that never resets.
/// </summary>
public static class BudgetPeriods
{
    /// <summary>The start of a total budget's one period.</summary>
    public static readonly DateTimeOffset TotalStart = DateTimeOffset.UnixEpoch;

    /// <summary>The zone for an IANA id, or null when there is no such zone.</summary>
    public static TimeZoneInfo? FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>The period containing <paramref name="now"/>: its start and when it resets (null for total), as UTC instants.</summary>
    public static (DateTimeOffset Start, DateTimeOffset? End) Current(BudgetPeriod period, TimeZoneInfo zone, DateTimeOffset now)
    {
        if (period == BudgetPeriod.Total) return (TotalStart, null);
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var day = DateOnly.FromDateTime(local);
        var first = period switch
        {
            BudgetPeriod.Day => day,
            BudgetPeriod.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            _ => new DateOnly(day.Year, day.Month, 1),
        };
        var next = period switch
        {
            BudgetPeriod.Day => first.AddDays(1),
            BudgetPeriod.Week => first.AddDays(7),
            _ => first.AddMonths(1),
        };
        return (Midnight(first, zone).ToUniversalTime(), Midnight(next, zone).ToUniversalTime());
    }

    /// <summary>The instant a local calendar day begins in <paramref name="zone"/> (the first valid local time when midnight is skipped by DST).</summary>
    public static DateTimeOffset Midnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
        // An ambiguous midnight (clocks set back over it) begins at its first occurrence: the larger offset.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
