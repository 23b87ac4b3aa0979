using Microsoft.Extensions.Options;
using ImageHub.Web.Features.Workspaces;

namespace ImageHub.Web.Features.Account;

/// <summary>
/// On start: when Bootstrap:AdminEmail and Bootstrap:AdminPassword are set and no account exists yet,
/// creates that administrator and a workspace named Bootstrap:Workspace. Never runs twice: once any
/// account exists it does nothing, and of several instances starting at once only one creates it
/// (<see cref="FirstAccountClaim"/>).
/// </summary>
public sealed class BootstrapService(
    AccountService accounts,
    WorkspaceService workspaces,
    IOptions<BootstrapOptions> options,
    ILogger<BootstrapService> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.AdminEmail) || string.IsNullOrEmpty(settings.AdminPassword))
        {
            return;
        }

        if (await accounts.AnyAccountExistsAsync(cancellationToken))
        {
            logger.LogInformation("Bootstrap settings ignored: accounts already exist.");
            return;
        }

        var result = await accounts.RegisterFirstAdministratorAsync(settings.AdminEmail, settings.AdminPassword, cancellationToken);
        if (result is null)
        {
            logger.LogInformation("Bootstrap settings ignored: another instance or registration created the first account.");
            return;
        }
        if (!result.Succeeded)
        {
            // The messages describe rules (length, duplicates), never the password itself.
            var reasons = string.Join(" ", result.Errors.SelectMany(e => e.Value));
            throw new InvalidOperationException($"Bootstrap:AdminEmail/AdminPassword could not create the administrator: {reasons}");
        }

        var name = string.IsNullOrWhiteSpace(settings.Workspace) ? "Default" : settings.Workspace;
        var (created, _) = await workspaces.CreateAsync(result.Value!.Id, name, cancellationToken);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"Bootstrap:Workspace is not a valid workspace name: {created.Message}");
        }

        logger.LogInformation("Bootstrap created the administrator {Email} and the workspace {Workspace}.", settings.AdminEmail, name);
    }
}
