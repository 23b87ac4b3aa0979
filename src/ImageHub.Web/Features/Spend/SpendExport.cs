using System.Globalization;
using CsvHelper;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend;

/// <summary>
/// The settled generations of a range as CSV (CsvHelper, RFC 4180), one line per settlement, streamed from the
/// ledger: <c>generation_id,completed_at,provider,model,member,key_label,images,credits,cost_usd</c>.
/// The credits per provider add up to what <c>GET /api/v1/spend</c> says for the same range.
/// </summary>
public sealed class SpendExport(IDbContextFactory<AppDbContext> contexts)
{
    public const string Header = "generation_id,completed_at,provider,model,member,key_label,images,credits,cost_usd";

    public static string FileName(DateOnly from, DateOnly to) => $"imagehub-spend-{from:yyyy-MM-dd}-to-{to:yyyy-MM-dd}.csv";

    public async Task WriteAsync(Stream output, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = db.Set<LedgerEntry>().AsNoTracking()
            .Where(e => e.Kind == LedgerEntryKind.Settlement && e.CreatedAt >= from && e.CreatedAt < to)
            .Join(db.Set<Generation>(), e => e.GenerationId, g => g.Id, (e, g) => new { e, g.Model, g.KeyLabel })
            .OrderBy(x => x.e.CreatedAt).ThenBy(x => x.e.GenerationId)
            .Select(x => new { x.e.GenerationId, x.e.CreatedAt, x.e.ProviderId, x.Model, x.e.UserId, x.KeyLabel, x.e.Images, x.e.Credits, x.e.CostUsd })
            .AsAsyncEnumerable();
        var names = await db.Set<Workspaces.WorkspaceMember>().AsNoTracking()
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.UserId, u.Email })
            .ToDictionaryAsync(m => m.UserId, m => m.Email ?? "", ct);
        await using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), leaveOpen: true);
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var column in Header.Split(',')) csv.WriteField(column);
        await csv.NextRecordAsync();
        await foreach (var row in rows.WithCancellation(ct))
        {
            csv.WriteField(row.GenerationId.ToString());
            csv.WriteField(row.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            csv.WriteField(row.ProviderId);
            csv.WriteField(row.Model ?? "");
            csv.WriteField(names.GetValueOrDefault(row.UserId, "a former member"));
            csv.WriteField(row.KeyLabel ?? "");
            csv.WriteField(row.Images);
            csv.WriteField(row.Credits.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(row.CostUsd?.ToString(CultureInfo.InvariantCulture) ?? "");
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
    }
}
