using ImageHub.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ImageHub.Web.Features.Compose;

/// <summary>A prompt a member ran, kept per member and workspace so the composer can recall it. Running the same prompt again moves it to the top.</summary>
public sealed class PromptHistoryEntry : IWorkspaceScoped
{
    public const int MaxPromptLength = 8000;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid UserId { get; init; }
    public string Prompt { get; init; } = "";

    /// <summary>The providers it went to, comma-separated ids ("koala,kolbo").</summary>
    public string Providers { get; set; } = "";

    public int Uses { get; set; } = 1;
    public DateTimeOffset LastUsedAt { get; set; }
}

internal sealed class PromptHistoryEntryConfiguration : IEntityTypeConfiguration<PromptHistoryEntry>
{
    public void Configure(EntityTypeBuilder<PromptHistoryEntry> builder)
    {
        builder.ToTable("PromptHistoryEntries");
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Prompt).HasMaxLength(PromptHistoryEntry.MaxPromptLength);
        builder.Property(e => e.Providers).HasMaxLength(200);
        builder.HasIndex(e => new { e.WorkspaceId, e.UserId, e.LastUsedAt });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(e => e.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Records and recalls a member's prompts in the current workspace.</summary>
public sealed class PromptHistoryService(IDbContextFactory<AppDbContext> contexts, TimeProvider time)
{
    public const int Kept = 50;

    public async Task RecordAsync(Guid userId, string prompt, IReadOnlyCollection<string> providers, CancellationToken cancellationToken = default)
    {
        prompt = prompt.Trim();
        if (prompt.Length == 0 || prompt.Length > PromptHistoryEntry.MaxPromptLength) return;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var mine = db.Set<PromptHistoryEntry>().Where(e => e.UserId == userId);
        var now = time.GetUtcNow();
        var existing = await mine.FirstOrDefaultAsync(e => e.Prompt == prompt, cancellationToken);
        if (existing is null)
        {
            db.Add(new PromptHistoryEntry { UserId = userId, Prompt = prompt, Providers = string.Join(',', providers), LastUsedAt = now });
        }
        else
        {
            existing.Uses++;
            existing.Providers = string.Join(',', providers);
            existing.LastUsedAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);

        var stale = await mine.OrderByDescending(e => e.LastUsedAt).Skip(Kept).ToListAsync(cancellationToken);
        if (stale.Count > 0)
        {
            db.RemoveRange(stale);
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<PromptHistoryEntry>> RecentAsync(Guid userId, int take = 20, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<PromptHistoryEntry>().AsNoTracking()
            .Where(e => e.UserId == userId)
            .OrderByDescending(e => e.LastUsedAt)
            .Take(take)
            .ToListAsync(cancellationToken);
    }
}
