using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend.Budgets;

/// <summary>The signed-in member's in-app notifications in the current workspace.</summary>
public sealed class NotificationService(IDbContextFactory<AppDbContext> contexts, ICurrentUser user, TimeProvider time)
{
    public async Task<IReadOnlyList<Notification>> RecentAsync(CancellationToken ct = default)
    {
        if (await user.GetIdAsync() is not { } id) return [];
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Set<Notification>().AsNoTracking().Where(n => n.UserId == id).OrderByDescending(n => n.CreatedAt).Take(50).ToListAsync(ct);
    }

    public async Task<int> UnreadAsync(CancellationToken ct = default)
    {
        if (await user.GetIdAsync() is not { } id) return 0;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Set<Notification>().CountAsync(n => n.UserId == id && n.ReadAt == null, ct);
    }

    public async Task MarkAllReadAsync(CancellationToken ct = default)
    {
        if (await user.GetIdAsync() is not { } id) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        await db.Set<Notification>().Where(n => n.UserId == id && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
    }
}
