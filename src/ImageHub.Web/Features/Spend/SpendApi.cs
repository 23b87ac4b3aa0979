using System.Globalization;
using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Api;
using ImageHub.Web.Features.Spend.Budgets;
using ImageHub.Web.Features.Webhooks;
using ImageHub.Web.Infrastructure.Audit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImageHub.Web.Features.Spend;

public sealed record BudgetList(IReadOnlyList<BudgetView> Items);

public sealed record CreateWebhookBody(string? Url, IReadOnlyList<string>? Events);

public sealed record WebhookList(IReadOnlyList<WebhookView> Items);

public sealed record WebhookDeliveryList(IReadOnlyList<WebhookDeliveryView> Items);

/// <summary>How an Owner or Admin resolves a generation that needs review: charged (with the credits) or not.</summary>
public sealed record ResolveReviewBody(bool? Charged, decimal? Credits, string? Note);

/// <summary>GET /api/v1/spend: one provider's settled spend in the range.</summary>
public sealed record ApiSpend(string Provider, decimal Credits, decimal? CostUsd, int Images, int Generations);

/// <summary>GET /api/v1/spend's answer.</summary>
public sealed record SpendReport(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ApiSpend> Providers);

/// <summary>The spend API: spend per provider, budgets, webhooks, the CSV export and review decisions (over the services the pages use).</summary>
public static class SpendApi
{
    public static IEndpointRouteBuilder MapSpendApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(ApiPolicies.ApiUser).WithTags("Spend")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        // Webhooks are workspace administration: Owners and Admins only, even to read.
        var admin = app.MapGroup("/api/v1").RequireAuthorization(ApiPolicies.ApiAdmin).WithTags("Spend")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPost("/budgets", CreateBudgetAsync).RequireScope(ApiScopes.Admin)
            .WithSummary("Create a budget (Owners and Admins)")
            .WithDescription("Body: {name, scope (workspace|provider|member|key), provider?, userId?, keyId?, period (day|week|month|total), timeZone? (IANA, default UTC), " +
                "limitCredits (with a provider) | limitUsd, enforcement (hard|soft, default hard), alertThresholds? (1–100, default [50,80,100])}.")
            .ProducesValidationProblem();
        api.MapGet("/budgets", async (BudgetService budgets, CancellationToken ct) => TypedResults.Ok(new BudgetList(await budgets.ListAsync(ct)))).RequireScope(ApiScopes.Read)
            .WithSummary("The workspace's budgets with this period's spent, reserved, remaining and resetsAt");
        api.MapDelete("/budgets/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid id, BudgetService budgets, CancellationToken ct) =>
                await budgets.DeleteAsync(id, ct) is { Failure: { } failure } ? failure.ToProblem() : TypedResults.NoContent()).RequireScope(ApiScopes.Admin)
            .WithSummary("Delete a budget (Owners and Admins)").ProducesProblem(StatusCodes.Status404NotFound);

        admin.MapPost("/webhooks", CreateWebhookAsync).RequireScope(ApiScopes.Admin)
            .WithSummary("Register a webhook endpoint (Owners and Admins); the signing secret is in this answer only")
            .WithDescription($"Body: {{url, events: [{string.Join(", ", WebhookEvents.All)}]}}. Deliveries are signed as Standard Webhooks says (webhook-id, webhook-timestamp, webhook-signature).")
            .ProducesValidationProblem();
        admin.MapGet("/webhooks", async (WebhookService webhooks, CancellationToken ct) => TypedResults.Ok(new WebhookList(await webhooks.ListAsync(ct)))).RequireScope(ApiScopes.Admin)
            .WithSummary("The workspace's webhook endpoints with their delivery counts");
        admin.MapGet("/webhooks/{id:guid}/deliveries", async (Guid id, WebhookService webhooks, CancellationToken ct) =>
                TypedResults.Ok(new WebhookDeliveryList(await webhooks.DeliveriesAsync(id, ct)))).RequireScope(ApiScopes.Admin)
            .WithSummary("An endpoint's delivery log, newest first");
        admin.MapDelete("/webhooks/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid id, WebhookService webhooks, CancellationToken ct) =>
                await webhooks.DeleteAsync(id, ct) is { Failure: { } failure } ? failure.ToProblem() : TypedResults.NoContent()).RequireScope(ApiScopes.Admin)
            .WithSummary("Remove a webhook endpoint (Owners and Admins)").ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/spend", SpendAsync).RequireScope(ApiScopes.Read)
            .WithSummary("Settled spend per provider between from (inclusive) and to (exclusive); default this month")
            .ProducesValidationProblem();
        api.MapGet("/spend/export", ExportAsync).RequireScope(ApiScopes.Read)
            .WithSummary("Settled generations between from (inclusive) and to (exclusive) as CSV")
            .WithDescription("from and to are dates (YYYY-MM-DD, UTC). Columns: " + SpendExport.Header)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesValidationProblem();

        api.MapPost("/generations/{id:guid}/review", ResolveAsync).RequireScope(ApiScopes.Admin)
            .WithSummary("Resolve a generation that needs review (Owners and Admins): charged with the credits, or not charged")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Results<Created<BudgetView>, ProblemHttpResult>> CreateBudgetAsync(BudgetDraft body, HttpContext http, BudgetService budgets, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } userId) return Failure.Unauthorized("Sign in first.").ToProblem();
        var outcome = await budgets.CreateAsync(userId, body, ct);
        if (outcome.Failure is { } failure) return failure.ToProblem();
        return TypedResults.Created($"/api/v1/budgets/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Created<WebhookCreated>, ProblemHttpResult>> CreateWebhookAsync(CreateWebhookBody body, HttpContext http, WebhookService webhooks, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } userId) return Failure.Unauthorized("Sign in first.").ToProblem();
        var outcome = await webhooks.CreateAsync(userId, body.Url, body.Events, ct);
        if (outcome.Failure is { } failure) return failure.ToProblem();
        return TypedResults.Created($"/api/v1/webhooks/{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<object>, ProblemHttpResult>> ResolveAsync(Guid id, ResolveReviewBody body, HttpContext http, ReviewService reviews, CancellationToken ct)
    {
        if (http.User.GetUserId() is not { } userId) return Failure.Unauthorized("Sign in first.").ToProblem();
        if (body.Charged is not { } charged) return Failure.Invalid("charged", "Say whether the provider charged it: charged true (with credits) or false.").ToProblem();
        var outcome = await reviews.ResolveAsync(AuditActor.From(http, userId), id, charged, body.Credits, body.Note, ct);
        if (outcome.Failure is { } failure) return failure.ToProblem();
        return TypedResults.Ok<object>(new { id, resolution = charged ? "charged" : "not_charged", message = outcome.Message });
    }

    private static async Task<IResult> ExportAsync(string? from, string? to, HttpContext http, SpendExport export, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var monthStart = new DateOnly(now.Year, now.Month, 1);
        var errors = new List<FieldError>();
        var start = ParseDay(from, "from", monthStart, errors);
        var end = ParseDay(to, "to", monthStart.AddMonths(1), errors);
        if (errors.Count == 0 && end <= start) errors.Add(new FieldError("to", "to must be after from (to is exclusive)."));
        if (errors.Count > 0) return Failure.Invalid(errors).ToProblem();
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{SpendExport.FileName(start, end)}\"";
        await export.WriteAsync(http.Response.Body, Utc(start), Utc(end), ct);
        return Results.Empty;
    }

    public static DateTimeOffset Utc(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static DateOnly ParseDay(string? value, string field, DateOnly fallback, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        errors.Add(new FieldError(field, $"\"{(value.Length > 40 ? value[..40] + "…" : value)}\" is not a date; use YYYY-MM-DD, e.g. 2026-05-01."));
        return fallback;
    }

    private static async Task<Results<Ok<SpendReport>, ProblemHttpResult>> SpendAsync(string? from, string? to, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var errors = new List<FieldError>();
        var start = ParseDate(from, "from", monthStart, errors);
        var end = ParseDate(to, "to", monthStart.AddMonths(1), errors);
        if (errors.Count == 0 && end <= start) errors.Add(new FieldError("to", "to must be after from."));
        if (errors.Count > 0) return Failure.Invalid(errors).ToProblem();
        var spend = await Ledger.SpendAsync(db, start, end, ct);
        return TypedResults.Ok(new SpendReport(start, end, spend.Select(s => new ApiSpend(s.Provider, s.Credits, s.CostUsd, s.Images, s.Generations)).ToList()));
    }

    private static DateTimeOffset ParseDate(string? value, string field, DateTimeOffset fallback, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)) return parsed;
        errors.Add(new FieldError(field, $"\"{(value.Length > 40 ? value[..40] + "…" : value)}\" is not a date; use ISO 8601, e.g. 2026-05-01 or 2026-05-01T00:00:00Z."));
        return fallback;
    }
}
