using ImageHub.Web.Data;
using ImageHub.Web.Features.Account;
using ImageHub.Web.Features.Workspaces;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ImageHub.Web.Features.Api;

/// <summary>
/// <c>Bootstrap:ApiToken</c>: registers that token (its hash) for the bootstrap administrator
/// (<c>Bootstrap:AdminEmail</c>) in their first workspace, so scripts and CI can call the API of a fresh install.
/// It carries every scope and never expires (the operator manages it in configuration). Idempotent; a revoked bootstrap
/// token stays revoked.
/// </summary>
public sealed class BootstrapApiToken(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider time, ILogger<BootstrapApiToken> logger) : IHostedService
{
    public const string Name = "Bootstrap token";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var token = configuration["Bootstrap:ApiToken"]?.Trim();
        var email = configuration["Bootstrap:AdminEmail"]?.Trim();
        if (string.IsNullOrEmpty(token)) return;
        if (string.IsNullOrEmpty(email) || token.Length < 16)
        {
            logger.LogWarning("Bootstrap:ApiToken is ignored: it needs Bootstrap:AdminEmail and at least 16 characters.");
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        var membership = user is null ? null : await scope.ServiceProvider.GetRequiredService<WorkspaceDirectory>().ResolveAsync(user.Id, null, cancellationToken);
        if (user is null || membership is null)
        {
            logger.LogWarning("Bootstrap:ApiToken is ignored: the bootstrap administrator or their workspace does not exist.");
            return;
        }

        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var hash = ApiTokenService.Hash(token);
        if (await db.Set<ApiToken>().IgnoreQueryFilters([AppDbContext.WorkspaceFilter]).AnyAsync(t => t.Hash == hash, cancellationToken)) return;
        using var _ = scope.ServiceProvider.GetRequiredService<CurrentWorkspace>().Use(membership.WorkspaceId, membership.Role);
        db.Add(new ApiToken
        {
            WorkspaceId = membership.WorkspaceId,
            UserId = user.Id,
            Name = Name,
            Hash = hash,
            Prefix = token.Length > 10 ? token[..6] : "",
            Scopes = ApiScopeNames.Format(ApiScopes.All), // the operator's own token, kept in their configuration: every scope, no expiry
            CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Bootstrap:ApiToken registered for {Email} in workspace {Workspace}.", email, membership.WorkspaceName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
