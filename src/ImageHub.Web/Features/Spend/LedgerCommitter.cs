using System.Text.Json;
using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Jobs;
using ImageHub.Web.Features.Spend.Budgets;
using ImageHub.Web.Features.Webhooks;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Spend;

/// <summary>
/// The one way ledger lines are saved. In one transaction with the caller's changes (the generation's new status):
/// reservations are checked and counted against the budgets (a hard budget without room throws
/// <see cref="BudgetExceededException"/> and nothing is stored); settlements and releases update the budgets'
/// counters, settlements the daily rollup (<see cref="SpendDay"/>); thresholds crossed become notifications and
/// webhook deliveries (an outbox), and generation outcomes webhook deliveries. E-mail goes out after the commit.
/// </summary>
public sealed class LedgerCommitter(IProviderRegistry providers, AlertMailer mailer, WebhookSignal webhooks, ILogger<LedgerCommitter> logger) : IGenerationLedger
{
    public void Reserve(AppDbContext db, Generation generation, DateTimeOffset now, decimal? usd) => Ledger.Reserve(db, generation, now, usd);
    public void Settle(AppDbContext db, Generation generation, decimal credits, decimal? usd, int images, DateTimeOffset now) =>
        Ledger.Settle(db, generation, credits, usd, images, now);
    public void Release(AppDbContext db, Generation generation, DateTimeOffset now) => Ledger.Release(db, generation, now);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task SaveAsync(AppDbContext db, CancellationToken ct)
    {
        var added = db.ChangeTracker.Entries<LedgerEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (added.Count == 0)
        {
            await db.SaveChangesAsync(ct);
            return;
        }
        var generations = db.ChangeTracker.Entries<Generation>().Select(e => e.Entity).ToDictionary(g => g.Id);
        var now = added.Max(e => e.CreatedAt);
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;

        var reservations = added.Where(e => e.Kind == LedgerEntryKind.Reservation).ToList();
        if (reservations.Count > 0) await BudgetLedger.ReserveAsync(db, reservations, ProviderName, now, ct);

        var crossings = new List<BudgetCrossing>();
        var events = new List<(string Type, object Data)>();
        foreach (var entry in added.Where(e => e.Kind != LedgerEntryKind.Reservation))
        {
            crossings.AddRange(await BudgetLedger.CloseAsync(db, entry, now, ct));
            generations.TryGetValue(entry.GenerationId, out var generation);
            if (entry.Kind == LedgerEntryKind.Settlement) await SpendRollup.AddAsync(db, entry, generation?.Model, ct);
            if (generation?.Status is GenerationStatus.Succeeded or GenerationStatus.Failed)
            {
                events.Add((generation.Status == GenerationStatus.Succeeded ? WebhookEvents.GenerationSucceeded : WebhookEvents.GenerationFailed, new
                {
                    generationId = generation.Id,
                    provider = generation.ProviderId,
                    model = generation.Model,
                    status = generation.Status.ToString(),
                    images = entry.Images,
                    credits = generation.Credits,
                    costUsd = generation.CostUsd,
                    error = generation.ErrorMessage,
                    completedAt = generation.CompletedAt,
                }));
            }
        }

        var mails = new List<AlertMail>();
        if (crossings.Count > 0) mails.AddRange(await NotifyAsync(db, crossings, now, events, ct));
        var deliveries = events.Count > 0 ? await EnqueueAsync(db, events, now, ct) : 0;

        await db.SaveChangesAsync(ct);
        if (transaction is not null) await transaction.CommitAsync(ct);

        foreach (var mail in mails) mailer.Enqueue(mail);
        if (deliveries > 0) webhooks.Wake();
        foreach (var crossing in crossings)
        {
            logger.LogInformation("Budget {BudgetId} reached {Threshold} % of its limit", crossing.Budget.Id, crossing.Threshold);
        }
    }

    private string ProviderName(string id) => providers.TryGet(id, out var provider) ? provider.DisplayName : id;

    /// <summary>In-app notifications for the Owners and Admins and the member concerned, a budget.threshold event, and the e-mails to send.</summary>
    private async Task<List<AlertMail>> NotifyAsync(AppDbContext db, List<BudgetCrossing> crossings, DateTimeOffset now, List<(string, object)> events, CancellationToken ct)
    {
        var admins = await db.Set<WorkspaceMember>().AsNoTracking()
            .Where(m => m.Role == WorkspaceRole.Owner || m.Role == WorkspaceRole.Admin).Select(m => m.UserId).ToListAsync(ct);
        var mails = new List<AlertMail>();
        foreach (var crossing in crossings)
        {
            var budget = crossing.Budget;
            var text = $"Budget \"{budget.Name}\" reached {crossing.Threshold} % of its limit: {BudgetLedger.Amount(budget, budget.SpentMicro, ProviderName)} of {BudgetLedger.Amount(budget, budget.LimitMicro, ProviderName)}" +
                (crossing.ResetsAt is { } at ? $" (resets {at:yyyy-MM-dd HH:mm} {budget.TimeZone})." : ".");
            var recipients = admins.Append(crossing.MemberConcerned).Distinct().ToList();
            foreach (var user in recipients)
            {
                db.Add(new Notification { WorkspaceId = budget.WorkspaceId, UserId = user, Text = text, Link = "/spend/budgets", CreatedAt = now });
            }
            var emails = await db.Users.AsNoTracking().Where(u => recipients.Contains(u.Id) && u.Email != null).Select(u => u.Email!).ToListAsync(ct);
            mails.Add(new AlertMail(emails, $"ImageHub: budget \"{budget.Name}\" at {crossing.Threshold} %", text));
            events.Add((WebhookEvents.BudgetThreshold, new
            {
                budgetId = budget.Id,
                name = budget.Name,
                threshold = crossing.Threshold,
                unit = budget.Unit == BudgetUnit.Usd ? "usd" : "credits",
                provider = budget.ProviderId,
                spent = Micro.To(budget.SpentMicro),
                limit = Micro.To(budget.LimitMicro),
                resetsAt = crossing.ResetsAt,
            }));
        }
        return mails;
    }

    /// <summary>One outbox row per subscribed endpoint and event; the dispatcher sends them.</summary>
    private static async Task<int> EnqueueAsync(AppDbContext db, List<(string Type, object Data)> events, DateTimeOffset now, CancellationToken ct)
    {
        var endpoints = await db.Set<WebhookEndpoint>().AsNoTracking().ToListAsync(ct);
        var count = 0;
        foreach (var (type, data) in events)
        {
            foreach (var endpoint in endpoints.Where(e => e.EventList.Contains(type)))
            {
                var payload = JsonSerializer.Serialize(new { type, timestamp = now, data }, Json);
                db.Add(new WebhookDelivery
                {
                    WorkspaceId = endpoint.WorkspaceId,
                    EndpointId = endpoint.Id,
                    EventType = type,
                    Payload = payload,
                    CreatedAt = now,
                    NextAttemptAt = now,
                });
                count++;
            }
        }
        return count;
    }
}
