using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ImageHub.Web.Data;

/// <summary>SQLite has no sortable DateTimeOffset: store it as UTC Unix milliseconds.</summary>
public sealed class UtcMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.ToUnixTimeMilliseconds(),
    value => DateTimeOffset.FromUnixTimeMilliseconds(value));

public sealed class NullableUtcMillisecondsConverter() : ValueConverter<DateTimeOffset?, long?>(
    value => value.HasValue ? value.Value.ToUnixTimeMilliseconds() : null,
    value => value.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(value.Value) : null);
