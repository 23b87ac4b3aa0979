using System.Security.Cryptography;
using System.Text;
using ImageHub.Web.Data;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Workspaces;

public sealed class WorkspaceOptions
{
    public const string Section = "Workspaces";
    /// <summary>How long an invite link stays valid.</summary>
    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromDays(7);
}

public sealed record MemberView(Guid MemberId, Guid UserId, string Email, WorkspaceRole Role, DateTimeOffset JoinedAt);

public sealed record InviteView(Guid Id, WorkspaceRole Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, InviteState State);

/// <summary>A freshly created invite: <see cref="Path"/> holds the token and is shown once.</summary>
public sealed record CreatedInvite(Guid Id, string Path, DateTimeOffset ExpiresAt);

/// <summary>What an invite token leads to, for the invite landing page.</summary>
public sealed record InviteLookup(InviteState State, Guid WorkspaceId, string WorkspaceName, WorkspaceRole Role)
{
    public string? Problem => State switch
    {
        InviteState.Open => null,
        InviteState.Used => "This invite link has already been used. Ask a workspace admin for a new one.",
        InviteState.Expired => "This invite link has expired. Ask a workspace admin for a new one.",
        InviteState.Revoked => "This invite link was revoked by a workspace admin. Ask them for a new one.",
        _ => "This invite link is not valid.",
    };
}

/// <summary>Workspaces, members and invites. Admin operations work on <see cref="CurrentWorkspace"/> only.</summary>
public sealed class WorkspaceService(
    IDbContextFactory<AppDbContext> dbFactory,
    CurrentWorkspace currentWorkspace,
    WorkspaceAccess access,
    MembershipNotifier notifier,
    WorkspaceDirectory directory,
    TimeProvider timeProvider,
    IOptions<WorkspaceOptions> options)
{
    public const string InvalidInviteMessage = "This invite link is not valid. Check that you copied all of it, or ask a workspace admin for a new one.";

    public static string? ValidateName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0) return "Give the workspace a name.";
        if (trimmed.Length > Workspace.NameMaxLength) return $"A workspace name has at most {Workspace.NameMaxLength} characters.";
        return null;
    }

    /// <summary>Creates a workspace with <paramref name="ownerUserId"/> as Owner and selects it for them.</summary>
    public async Task<(Outcome Result, Guid WorkspaceId)> CreateAsync(Guid ownerUserId, string? name, CancellationToken cancellationToken = default)
    {
        if (ValidateName(name) is { } error) return (Failure.Invalid("name", error), Guid.Empty);

        var now = timeProvider.GetUtcNow();
        var workspace = new Workspace { Name = name!.Trim(), CreatedAt = now, CreatedByUserId = ownerUserId };
        using (currentWorkspace.Use(workspace.Id, WorkspaceRole.Owner))
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            db.Workspaces.Add(workspace);
            db.WorkspaceMembers.Add(new WorkspaceMember { UserId = ownerUserId, Role = WorkspaceRole.Owner, JoinedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }
        await directory.SelectAsync(ownerUserId, workspace.Id, cancellationToken);
        return (Outcome.Ok(), workspace.Id);
    }

    public async Task<Workspace?> GetCurrentAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Workspaces.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<Outcome> RenameAsync(string? name, CancellationToken cancellationToken = default)
    {
        if (!await access.IsAdminAsync(cancellationToken)) return NotAdmin();
        if (ValidateName(name) is { } error) return Failure.Invalid("name", error);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspace = await db.Workspaces.FirstOrDefaultAsync(cancellationToken);
        if (workspace is null) return NoWorkspace();
        workspace.Name = name!.Trim();
        await db.SaveChangesAsync(cancellationToken);
        return Outcome.Ok();
    }

    public async Task<IReadOnlyList<MemberView>> ListMembersAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.WorkspaceMembers.AsNoTracking()
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.Id, m.UserId, u.Email, m.Role, m.JoinedAt })
            .ToListAsync(cancellationToken);
        return rows.OrderByDescending(r => r.Role).ThenBy(r => r.JoinedAt)
            .Select(r => new MemberView(r.Id, r.UserId, r.Email ?? "", r.Role, r.JoinedAt)).ToList();
    }

    public async Task<Outcome> ChangeRoleAsync(Guid memberId, WorkspaceRole newRole, CancellationToken cancellationToken = default)
    {
        if (!await access.IsAdminAsync(cancellationToken)) return NotAdmin();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await db.WorkspaceMembers.FirstOrDefaultAsync(m => m.Id == memberId, cancellationToken);
        if (member is null) return NoMember();
        if (member.Role == newRole) return Outcome.Ok();
        if ((member.Role == WorkspaceRole.Owner || newRole == WorkspaceRole.Owner) && currentWorkspace.Role != WorkspaceRole.Owner)
            return Failure.Forbidden("Only an Owner can make someone an Owner or change an Owner's role.");
        if (member.Role == WorkspaceRole.Owner && await IsLastOwnerAsync(db, cancellationToken))
            return Failure.Conflict("A workspace needs at least one Owner. Make someone else an Owner first.");
        member.Role = newRole;
        await db.SaveChangesAsync(cancellationToken);
        await notifier.PublishAsync(new MembershipChange(member.WorkspaceId, member.UserId));
        return Outcome.Ok();
    }

    public async Task<Outcome> RemoveMemberAsync(Guid memberId, CancellationToken cancellationToken = default)
    {
        if (!await access.IsAdminAsync(cancellationToken)) return NotAdmin();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await db.WorkspaceMembers.FirstOrDefaultAsync(m => m.Id == memberId, cancellationToken);
        if (member is null) return NoMember();
        if (member.Role == WorkspaceRole.Owner && currentWorkspace.Role != WorkspaceRole.Owner)
            return Failure.Forbidden("Only an Owner can remove an Owner.");
        if (member.Role == WorkspaceRole.Owner && await IsLastOwnerAsync(db, cancellationToken))
            return Failure.Conflict("The last Owner cannot be removed. Make someone else an Owner first.");
        db.WorkspaceMembers.Remove(member);
        await db.SaveChangesAsync(cancellationToken);
        await notifier.PublishAsync(new MembershipChange(member.WorkspaceId, member.UserId));
        return Outcome.Ok();
    }

    public async Task<(Outcome Result, CreatedInvite? Invite)> CreateInviteAsync(Guid createdByUserId, WorkspaceRole role, CancellationToken cancellationToken = default)
    {
        if (!await access.IsAdminAsync(cancellationToken)) return (NotAdmin(), null);
        if (role == WorkspaceRole.Owner) return (Failure.Invalid("role", "Invite as Member or Admin; an Owner can promote someone after they join."), null);

        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var now = timeProvider.GetUtcNow();
        var invite = new WorkspaceInvite
        {
            TokenHash = Hash(token),
            Role = role,
            CreatedByUserId = createdByUserId,
            CreatedAt = now,
            ExpiresAt = now + options.Value.InviteLifetime,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.WorkspaceInvites.Add(invite);
        await db.SaveChangesAsync(cancellationToken);
        return (Outcome.Ok(), new CreatedInvite(invite.Id, $"/invite/{token}", invite.ExpiresAt));
    }

    public async Task<IReadOnlyList<InviteView>> ListInvitesAsync(CancellationToken cancellationToken = default)
    {
        if (!await access.IsAdminAsync(cancellationToken)) return [];
        var now = timeProvider.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invites = await db.WorkspaceInvites.AsNoTracking().ToListAsync(cancellationToken);
        return invites.OrderByDescending(i => i.CreatedAt)
            .Select(i => new InviteView(i.Id, i.Role, i.CreatedAt, i.ExpiresAt, i.StateAt(now))).ToList();
    }

    public async Task<Outcome> RevokeInviteAsync(Guid inviteId, CancellationToken cancellationToken = default)
    {
        if (!await access.IsAdminAsync(cancellationToken)) return NotAdmin();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invite = await db.WorkspaceInvites.FirstOrDefaultAsync(i => i.Id == inviteId, cancellationToken);
        if (invite is null) return Failure.NotFound("That invite does not exist in this workspace.");
        if (invite.AcceptedAt is not null) return Failure.Conflict("That invite has already been used; remove the member instead.");
        invite.RevokedAt ??= timeProvider.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return Outcome.Ok();
    }

    /// <summary>What <paramref name="token"/> leads to, or null when no invite has that token.</summary>
    public async Task<InviteLookup?> LookupInviteAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hash = Hash(token);
        var row = await (
            from i in db.WorkspaceInvites.IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
            join w in db.Workspaces.IgnoreQueryFilters([AppDbContext.WorkspaceFilter]) on i.WorkspaceId equals w.Id
            where i.TokenHash == hash
            select new { Invite = i, w.Name }).AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new InviteLookup(row.Invite.StateAt(timeProvider.GetUtcNow()), row.Invite.WorkspaceId, row.Name, row.Invite.Role);
    }

    /// <summary>Joins <paramref name="userId"/> to the invite's workspace, uses the invite up, and selects the workspace.</summary>
    public async Task<(Outcome Result, Guid WorkspaceId)> AcceptInviteAsync(Guid userId, string? token, CancellationToken cancellationToken = default)
    {
        var lookup = await LookupInviteAsync(token, cancellationToken);
        if (lookup is null) return (Failure.NotFound(InvalidInviteMessage), Guid.Empty);
        if (lookup.Problem is { } problem) return (Failure.Conflict(problem), Guid.Empty);

        using (currentWorkspace.Use(lookup.WorkspaceId, lookup.Role))
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await db.WorkspaceMembers.AnyAsync(m => m.UserId == userId, cancellationToken))
            {
                await directory.SelectAsync(userId, lookup.WorkspaceId, cancellationToken);
                return (Failure.Conflict($"You are already a member of {lookup.WorkspaceName}. The invite is still unused."), lookup.WorkspaceId);
            }

            var hash = Hash(token!);
            var now = timeProvider.GetUtcNow();
            // Use the invite up with a conditional update, so two people racing for one link cannot both join.
            var claimed = await db.WorkspaceInvites
                .Where(i => i.TokenHash == hash && i.AcceptedAt == null && i.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.AcceptedAt, now).SetProperty(i => i.AcceptedByUserId, userId), cancellationToken);
            if (claimed != 1) return (Failure.Conflict("This invite link has already been used. Ask a workspace admin for a new one."), Guid.Empty);

            db.WorkspaceMembers.Add(new WorkspaceMember { UserId = userId, Role = lookup.Role, JoinedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }
        await directory.SelectAsync(userId, lookup.WorkspaceId, cancellationToken);
        return (Outcome.Ok(), lookup.WorkspaceId);
    }

    private static async Task<bool> IsLastOwnerAsync(AppDbContext db, CancellationToken cancellationToken) =>
        await db.WorkspaceMembers.CountAsync(m => m.Role == WorkspaceRole.Owner, cancellationToken) <= 1;

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static Failure NotAdmin() => Failure.Forbidden("Only the workspace's Owners and Admins can do that.");
    private static Failure NoWorkspace() => Failure.Forbidden("You are not in a workspace. Create one or ask for an invite.");
    private static Failure NoMember() => Failure.NotFound("That person is not a member of this workspace.");
}
