namespace ImageHub.Web.Features.Account;

/// <summary><c>Bootstrap:*</c>: an unattended install's first administrator and workspace.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";
    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
    public string Workspace { get; set; } = "Default";
}
