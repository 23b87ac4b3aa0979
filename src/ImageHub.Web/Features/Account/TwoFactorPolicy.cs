using ImageHub.Web.Data;
using ImageHub.Web.Features.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QRCoder;

namespace ImageHub.Web.Features.Account;

/// <summary>The <c>Security:*</c> settings.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Instance administrators and workspace Owners/Admins must use two-factor sign-in (they are sent to set it up).</summary>
    public bool RequireTwoFactorForAdmins { get; set; }
}

/// <summary>Who must use two-factor sign-in, and the authenticator app's QR code.</summary>
public sealed class TwoFactorPolicy(IDbContextFactory<AppDbContext> dbFactory)
{
    public const string EnrolPath = "/Account/Manage/TwoFactor";

    /// <summary>True when the account is an instance administrator or an Owner/Admin of any workspace.</summary>
    public async Task<bool> HoldsAdminRoleAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(u => u.Id == userId && u.IsInstanceAdmin, cancellationToken)
            || await db.WorkspaceMembers.IgnoreQueryFilters([AppDbContext.WorkspaceFilter])
                .AnyAsync(m => m.UserId == userId && (m.Role == WorkspaceRole.Owner || m.Role == WorkspaceRole.Admin), cancellationToken);
    }

    /// <summary>True when the account holds an admin role and has not turned two-factor sign-in on.</summary>
    public async Task<bool> MustEnrolAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Users.AnyAsync(u => u.Id == userId && u.TwoFactorEnabled, cancellationToken)) return false;
        return await HoldsAdminRoleAsync(userId, cancellationToken);
    }

    /// <summary>The otpauth:// URI authenticator apps read (RFC 6238 defaults: SHA-1, 6 digits, 30 s).</summary>
    public static string AuthenticatorUri(string email, string key) =>
        $"otpauth://totp/{Uri.EscapeDataString("ImageHub")}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString("ImageHub")}&digits=6";

    /// <summary>The QR code as inline SVG, made here (no outside service sees the secret).</summary>
    public static string QrSvg(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.Q);
        return new SvgQRCode(data).GetGraphic(5, "#000000", "#ffffff", drawQuietZones: true);
    }
}

/// <summary>
/// With <c>Security:RequireTwoFactorForAdmins</c>, sends a signed-in administrator (instance, or Owner/Admin of a
/// workspace) without two-factor sign-in to set it up before any page opens. The account pages, the API (tokens),
/// Blazor's own endpoints and static files are left alone, and so are sessions an OpenID Connect provider signed in
/// (they carry its issuer as their authentication method): the provider owns their second factor.
/// </summary>
public sealed class TwoFactorRequirementMiddleware(RequestDelegate next, IOptions<SecurityOptions> options)
{
    public async Task InvokeAsync(HttpContext context, TwoFactorPolicy policy)
    {
        if (options.Value.RequireTwoFactorForAdmins
            && HttpMethods.IsGet(context.Request.Method)
            && context.User.GetUserId() is { } userId
            && context.User.Identity?.AuthenticationType == Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme
            && !context.User.HasClaim(c => c.Type == System.Security.Claims.ClaimTypes.AuthenticationMethod) // signed in by an identity provider: its second factor
            && IsPage(context.Request.Path)
            && await policy.MustEnrolAsync(userId, context.RequestAborted))
        {
            context.Response.Redirect($"{TwoFactorPolicy.EnrolPath}?required=true");
            return;
        }
        await next(context);
    }

    private static bool IsPage(PathString path) =>
        !path.StartsWithSegments("/Account") && !path.StartsWithSegments("/api") && !path.StartsWithSegments("/_blazor")
        && !path.StartsWithSegments("/_framework") && !path.StartsWithSegments("/_content") && !path.StartsWithSegments("/health")
        && !path.StartsWithSegments("/images") && !Path.HasExtension(path.Value);
}
