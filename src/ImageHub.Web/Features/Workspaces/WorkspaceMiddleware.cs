using ImageHub.Web.Features.Account;

namespace ImageHub.Web.Features.Workspaces;

/// <summary>
/// Resolves <see cref="CurrentWorkspace"/> for every authenticated HTTP request, verified against the
/// membership table each time: from a <c>/workspaces/{id}</c> URL when the request names one (404 when the
/// user is not a member: the workspace's existence is not revealed), else from the user's selection.
/// Runs after authentication and before authorization, so the workspace policies see it.
/// </summary>
internal sealed class WorkspaceMiddleware(RequestDelegate next)
{
    public const string PathPrefix = "/workspaces/";

    public async Task InvokeAsync(HttpContext context, CurrentWorkspace currentWorkspace, WorkspaceDirectory directory)
    {
        if (currentWorkspace.IsSet || context.User.GetUserId() is not { } userId)
        {
            await next(context);
            return;
        }

        var requested = RequestedWorkspace(context.Request.Path);
        var membership = await directory.ResolveAsync(userId, requested, context.RequestAborted);
        if (requested is not null && membership is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (membership is not null)
        {
            if (requested is not null)
            {
                await directory.SelectAsync(userId, membership.WorkspaceId, context.RequestAborted);
            }
            currentWorkspace.Set(membership.WorkspaceId, membership.Role, membership.WorkspaceName, userId);
        }

        await next(context);
    }

    /// <summary>The workspace id in <c>/workspaces/{id}[/...]</c>, if the path has that shape.</summary>
    public static Guid? RequestedWorkspace(PathString path)
    {
        if (!path.StartsWithSegments(PathPrefix.TrimEnd('/'), StringComparison.OrdinalIgnoreCase, out var rest) || !rest.HasValue)
        {
            return null;
        }
        var segment = rest.Value!.TrimStart('/').Split('/', 2)[0];
        return Guid.TryParse(segment, out var id) ? id : null;
    }
}
