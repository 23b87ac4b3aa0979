using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace ImageHub.Web.Features.Gallery;

/// <summary>
/// A gallery filter as the URL's query string (so a filtered view can be bookmarked, and the image page can step
/// through the same view): q, provider, model, member, from, to (dates, to inclusive), starred, board, trash.
/// </summary>
public static class GalleryUrl
{
    public static GalleryFilter Parse(IReadOnlyDictionary<string, string?> query)
    {
        string? Get(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        DateTimeOffset? Day(string key, int add) => DateOnly.TryParseExact(Get(key), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(add) : null;
        return new GalleryFilter(
            Get("q"), Get("provider"), Get("model"),
            Guid.TryParse(Get("member"), out var member) ? member : null,
            Day("from", 0), Day("to", 1),
            Get("starred") == "true",
            Guid.TryParse(Get("board"), out var board) ? board : null,
            Get("trash") == "true");
    }

    public static GalleryFilter Parse(Uri uri) =>
        Parse(QueryHelpers.ParseQuery(uri.Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString()));

    /// <summary>The query string for <paramref name="filter"/> ("" when it filters nothing; else starting with '?').</summary>
    public static string Query(GalleryFilter filter)
    {
        var parts = new List<KeyValuePair<string, string?>>();
        void Add(string key, string? value) { if (!string.IsNullOrEmpty(value)) parts.Add(new(key, value)); }
        Add("q", filter.Query);
        Add("provider", filter.ProviderId);
        Add("model", filter.Model);
        Add("member", filter.MemberId?.ToString());
        Add("from", filter.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", filter.To?.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("starred", filter.Starred ? "true" : null);
        Add("board", filter.BoardId?.ToString());
        Add("trash", filter.Trash ? "true" : null);
        return parts.Count == 0 ? "" : QueryString.Create(parts).ToString();
    }
}
