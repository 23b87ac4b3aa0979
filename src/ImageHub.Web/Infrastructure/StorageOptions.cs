namespace ImageHub.Web.Infrastructure;

/// <summary>
/// <c>Storage:Root</c>: the one folder the app writes to (SQLite file, images, key ring when kept in a folder).
/// Relative paths are resolved against the content root.
/// </summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public string Root { get; set; } = "./data";

    /// <summary>The absolute root, resolved against the content root.</summary>
    public string FullRoot { get; set; } = "";
}
