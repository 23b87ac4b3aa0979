namespace ImageHub.Sandbox;

/// <summary>What each client's BaseUrl option holds to talk to the sandbox instead of the live API.</summary>
public sealed record SandboxBaseUrls(Uri Koala, Uri Qolaba, Uri Coals, Uri Kolbo)
{
    /// <summary>The base URLs under <paramref name="root"/> (the sandbox's mount point; a missing trailing '/' is added).</summary>
    public static SandboxBaseUrls For(Uri root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!root.IsAbsoluteUri)
        {
            throw new ArgumentException("The sandbox root must be an absolute URI, e.g. http://127.0.0.1:5080/.", nameof(root));
        }

        var normalized = root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
        return new SandboxBaseUrls(
            new Uri(normalized, "koala/"),
            new Uri(normalized, "qolaba/"),
            new Uri(normalized, "coals/api/v1/graphicoal/"),
            new Uri(normalized, "kolbo/api/"));
    }
}
