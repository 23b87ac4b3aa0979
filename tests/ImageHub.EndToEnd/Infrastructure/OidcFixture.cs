using ImageHub.Tests.Infrastructure;

namespace ImageHub.EndToEnd.Infrastructure;

/// <summary>
/// The app signing in with a real OpenID Connect provider (<see cref="OidcProvider"/>, started first: the app's settings
/// name its issuer). The provider's group <c>designers</c> maps to Member of the workspace "Design", <c>design-leads</c>
/// to Admin there. Security:RequireTwoFactorForAdmins is on.
/// </summary>
public class OidcFixture : AppFixture
{
    public const string Workspace = "Design";

    private OidcProvider? provider;

    public OidcProvider Provider => provider ?? throw new InvalidOperationException("Not started.");
    public Guid DesignWorkspace { get; private set; }

    protected virtual bool DisableLocalLogin => false;

    /// <summary>Whether the provider offers RP-initiated logout (an end_session_endpoint).</summary>
    protected virtual bool ProviderEndsSessions => true;

    protected override Dictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>(base.Settings);
            foreach (var (key, value) in Provider.Settings()) settings[key] = value;
            settings["Oidc:WorkspaceMappings:0:ClaimValue"] = "designers";
            settings["Oidc:WorkspaceMappings:0:Workspace"] = Workspace;
            settings["Oidc:WorkspaceMappings:0:Role"] = "Member";
            settings["Oidc:WorkspaceMappings:1:ClaimValue"] = "design-leads";
            settings["Oidc:WorkspaceMappings:1:Workspace"] = Workspace;
            settings["Oidc:WorkspaceMappings:1:Role"] = "Admin";
            settings["Oidc:DisableLocalLogin"] = DisableLocalLogin ? "true" : "false";
            // Admins signed in by the provider are not sent to enrol in ImageHub's own two-factor (the provider owns it).
            // (Not with DisableLocalLogin: there the administrator signs in once with a password, which it would ask for.)
            settings["Security:RequireTwoFactorForAdmins"] = DisableLocalLogin ? "false" : "true";
            return settings;
        }
    }

    public override async ValueTask InitializeAsync()
    {
        provider = await OidcProvider.StartAsync(ProviderEndsSessions);
        await base.InitializeAsync();
        DesignWorkspace = await App.CreateWorkspaceAsync(AdminEmail, Workspace);
    }

    /// <summary>A new person at the provider (username = their email's local part); returns the username.</summary>
    public async Task<string> NewProviderUserAsync(string name, string[] groups, bool emailVerified = true, string? email = null)
    {
        email ??= NewEmail(name);
        var username = email.Split('@')[0];
        await Provider.SetUserAsync(username, new OidcUser(Password, email, emailVerified, groups, name));
        return username;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (provider is not null) await provider.DisposeAsync();
    }
}

/// <summary>The same, with <c>Oidc:DisableLocalLogin=true</c>.</summary>
public sealed class OidcOnlyFixture : OidcFixture
{
    protected override bool DisableLocalLogin => true;
}

/// <summary>The same, with a provider that has no end_session_endpoint (log out ends the ImageHub session only).</summary>
public sealed class OidcWithoutEndSessionFixture : OidcFixture
{
    protected override bool ProviderEndsSessions => false;
}
