using ImageHub.Providers;
using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Webhooks;

/// <summary>Encrypts webhook signing keys with Data Protection under their own purpose.</summary>
public sealed class WebhookKeys(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("ImageHub.WebhookKeys.v1");

    public string Protect(byte[] key) => protector.Protect(Convert.ToBase64String(key));

    public byte[] Unprotect(string ciphertext) => Convert.FromBase64String(protector.Unprotect(ciphertext));
}

/// <summary>A registered endpoint as the page and the API show it (never its secret).</summary>
public sealed record WebhookView(Guid Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt, int Delivered, int Pending, int Failed);

/// <summary>The endpoint just made, with its secret (shown this once).</summary>
public sealed record WebhookCreated(Guid Id, string Secret);

public sealed record WebhookDeliveryView(Guid Id, string MessageId, string EventType, DateTimeOffset CreatedAt, string Status, int Attempts,
    int? LastStatusCode, string? LastError, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt);

/// <summary>Registers, lists and removes the current workspace's webhook endpoints (Owners and Admins), and reads their delivery log.</summary>
public sealed class WebhookService(
    IDbContextFactory<AppDbContext> contexts,
    WorkspaceAccess access,
    CurrentWorkspace workspace,
    WebhookKeys keys,
    IOptionsMonitor<WebhookOptions> options,
    TimeProvider time)
{
    private const string AdminsOnly = "Only the workspace's Owners and Admins manage webhooks.";

    public async Task<Outcome<WebhookCreated>> CreateAsync(Guid userId, string? url, IReadOnlyList<string>? events, CancellationToken ct)
    {
        if (!workspace.IsSet) return Failure.Invalid("workspace", "Pick or create a workspace first.");
        if (!await access.IsAdminAsync(ct)) return Failure.Forbidden(AdminsOnly);
        var errors = new List<FieldError>();
        var list = (events ?? []).Select(e => e?.Trim() ?? "").Distinct().ToList();
        if (list.Count == 0) errors.Add(new FieldError("events", $"Pick at least one event: {string.Join(", ", WebhookEvents.All)}."));
        foreach (var unknown in list.Where(e => !WebhookEvents.All.Contains(e)))
            errors.Add(new FieldError("events", $"\"{unknown}\" is not an event; use {string.Join(", ", WebhookEvents.All)}."));
        var target = await CheckUrlAsync(url, ct);
        if (target is not null) errors.Add(target);
        if (errors.Count > 0) return Failure.Invalid(errors);

        var key = WebhookSigner.NewKey();
        var endpoint = new WebhookEndpoint
        {
            Url = url!.Trim(),
            Events = string.Join(',', list),
            ProtectedKey = keys.Protect(key),
            CreatedById = userId,
            CreatedAt = time.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Add(endpoint);
        await db.SaveChangesAsync(ct);
        return Outcome<WebhookCreated>.Ok(new WebhookCreated(endpoint.Id, WebhookSigner.Secret(key)),
            "Copy the signing secret now: it is shown only once.");
    }

    /// <summary>Null when the URL is an http(s) address the guard allows; otherwise the field error.</summary>
    private async Task<FieldError?> CheckUrlAsync(string? url, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(url)) return new FieldError("url", "Give the URL to POST events to (https://…).");
        if (url.Trim().Length > WebhookEndpoint.UrlMaxLength) return new FieldError("url", $"The URL is longer than {WebhookEndpoint.UrlMaxLength} characters.");
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return new FieldError("url", "The URL must start with https:// (or http://).");
        if (!string.IsNullOrEmpty(uri.UserInfo)) return new FieldError("url", "Put no user name or password in the URL; verify deliveries with the signing secret instead.");
        try
        {
            await WebhookTargets.AllowedAddressesAsync(uri.IdnHost, options.CurrentValue.AllowPrivateNetworks, ct);
            return null;
        }
        catch (WebhookRefusedException e)
        {
            return new FieldError("url", e.Message);
        }
    }

    public async Task<IReadOnlyList<WebhookView>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var endpoints = await db.Set<WebhookEndpoint>().AsNoTracking().OrderBy(e => e.CreatedAt).ToListAsync(ct);
        var counts = await db.Set<WebhookDelivery>().AsNoTracking().GroupBy(d => new { d.EndpointId, d.Status })
            .Select(g => new { g.Key.EndpointId, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        int Count(Guid id, WebhookDeliveryStatus status) => counts.Where(c => c.EndpointId == id && c.Status == status).Sum(c => c.Count);
        return endpoints.Select(e => new WebhookView(e.Id, e.Url, e.EventList, e.CreatedAt,
            Count(e.Id, WebhookDeliveryStatus.Delivered), Count(e.Id, WebhookDeliveryStatus.Pending), Count(e.Id, WebhookDeliveryStatus.Failed))).ToList();
    }

    public async Task<IReadOnlyList<WebhookDeliveryView>> DeliveriesAsync(Guid endpointId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.EndpointId == endpointId)
            .OrderByDescending(d => d.CreatedAt).Take(100).ToListAsync(ct);
        return rows.Select(d => new WebhookDeliveryView(d.Id, d.MessageId, d.EventType, d.CreatedAt, d.Status.ToString(), d.Attempts,
            d.LastStatusCode, d.LastError, d.LastAttemptAt, d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null)).ToList();
    }

    public async Task<Outcome> DeleteAsync(Guid id, CancellationToken ct)
    {
        if (!await access.IsAdminAsync(ct)) return Failure.Forbidden(AdminsOnly);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var removed = await db.Set<WebhookEndpoint>().Where(e => e.Id == id).ExecuteDeleteAsync(ct);
        return removed == 0 ? Failure.NotFound("There is no such webhook in this workspace.") : Outcome.Ok("Webhook removed; nothing more is sent to it.");
    }
}
