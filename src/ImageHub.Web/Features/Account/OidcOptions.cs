using System.Net;
using ImageHub.Web.Features.Workspaces;
using Microsoft.Extensions.Options;

namespace ImageHub.Web.Features.Account;

/// <summary>The <c>Oidc:*</c> settings: sign-in with an OpenID Connect provider. Off while <see cref="Authority"/> is empty.</summary>
public sealed class OidcOptions
{
    public const string Section = "Oidc";

    /// <summary>The authentication scheme's name; its callback path is <c>/signin-oidc</c>.</summary>
    public const string Scheme = "oidc";

    /// <summary>The provider's issuer URL (its discovery document is at <c>{Authority}/.well-known/openid-configuration</c>).</summary>
    public string Authority { get; set; } = "";
    public string ClientId { get; set; } = "";
    /// <summary>Empty for a public client (PKCE alone); most providers give a confidential client a secret.</summary>
    public string ClientSecret { get; set; } = "";
    /// <summary>The button says "Sign in with {DisplayName}".</summary>
    public string DisplayName { get; set; } = "SSO";
    /// <summary>Space-separated scopes to ask for; must include <c>openid</c>.</summary>
    public string Scopes { get; set; } = "openid profile email";
    /// <summary>Create an account at the first sign-in (within what the registration mode allows).</summary>
    public bool AutoProvision { get; set; } = true;
    /// <summary>The claim whose values <see cref="WorkspaceMappings"/> match (<c>groups</c>, <c>roles</c>).</summary>
    public string RoleClaim { get; set; } = "";
    public List<OidcWorkspaceMapping> WorkspaceMappings { get; set; } = [];
    /// <summary>No password sign-in and no registration form: accounts sign in with the provider only.</summary>
    public bool DisableLocalLogin { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>Password sign-in is refused (a password still links an account to the provider, see <see cref="OidcSignIn"/>).</summary>
    public bool LocalLoginDisabled => Enabled && DisableLocalLogin;

    public IEnumerable<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>One line of <c>Oidc:WorkspaceMappings</c>: a <see cref="OidcOptions.RoleClaim"/> value gives a role in a workspace.</summary>
public sealed class OidcWorkspaceMapping
{
    /// <summary>The claim value, compared exactly (<c>imagehub-designers</c>, a group's object id).</summary>
    public string ClaimValue { get; set; } = "";
    /// <summary>The workspace's id, or the exact name of one workspace an instance administrator created.</summary>
    public string Workspace { get; set; } = "";
    /// <summary><c>Member</c> or <c>Admin</c>. Owners are made by hand only.</summary>
    public string Role { get; set; } = nameof(WorkspaceRole.Member);

    public WorkspaceRole ParsedRole => Enum.Parse<WorkspaceRole>(Role, ignoreCase: true);
}

/// <summary>Checks the <c>Oidc:*</c> settings on start; every message names the setting to change.</summary>
internal sealed class OidcOptionsValidator : IValidateOptions<OidcOptions>
{
    public ValidateOptionsResult Validate(string? name, OidcOptions o)
    {
        var errors = new List<string>();
        if (!o.Enabled)
        {
            if (o.DisableLocalLogin)
                errors.Add("Oidc:DisableLocalLogin is true but Oidc:Authority is empty: nobody could sign in. Set Oidc:Authority, or set Oidc:DisableLocalLogin=false.");
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        if (!Uri.TryCreate(o.Authority.Trim(), UriKind.Absolute, out var authority)
            || !(authority.Scheme == Uri.UriSchemeHttps || (authority.Scheme == Uri.UriSchemeHttp && IsLoopback(authority))))
            errors.Add($"Oidc:Authority must be the provider's https:// issuer URL (http:// only on loopback), e.g. https://keycloak.example.com/realms/acme; it is '{o.Authority}'.");
        if (string.IsNullOrWhiteSpace(o.ClientId))
            errors.Add("Oidc:ClientId is empty. Set it to the client id the provider gave ImageHub.");
        if (string.IsNullOrWhiteSpace(o.DisplayName))
            errors.Add("Oidc:DisplayName is empty. Name the provider for the sign-in button, e.g. Keycloak.");
        if (!o.ScopeList.Contains("openid", StringComparer.Ordinal))
            errors.Add($"Oidc:Scopes must include openid (space-separated, e.g. \"openid profile email\"); it is '{o.Scopes}'.");
        if (o.WorkspaceMappings.Count > 0 && string.IsNullOrWhiteSpace(o.RoleClaim))
            errors.Add("Oidc:WorkspaceMappings needs Oidc:RoleClaim: name the claim whose values they match, e.g. groups.");
        for (var i = 0; i < o.WorkspaceMappings.Count; i++)
        {
            var mapping = o.WorkspaceMappings[i];
            if (string.IsNullOrWhiteSpace(mapping.ClaimValue))
                errors.Add($"Oidc:WorkspaceMappings:{i}:ClaimValue is empty. Set the {o.RoleClaim} value this line matches.");
            if (string.IsNullOrWhiteSpace(mapping.Workspace))
                errors.Add($"Oidc:WorkspaceMappings:{i}:Workspace is empty. Set a workspace's id or exact name.");
            if (!Enum.TryParse<WorkspaceRole>(mapping.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role) || role == WorkspaceRole.Owner
                || int.TryParse(mapping.Role, out _))
                errors.Add($"Oidc:WorkspaceMappings:{i}:Role must be Member or Admin (Owners are made by hand); it is '{mapping.Role}'.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
