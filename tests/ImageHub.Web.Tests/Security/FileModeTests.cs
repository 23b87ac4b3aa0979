using System.Runtime.Versioning;
using System.Text.Json;
using ImageHub.Web.Tests.Jobs;

namespace ImageHub.Web.Tests.Security;

/// <summary>Issue 13, finding 9: what the app writes under Storage:Root is readable by the app's user alone.</summary>
public sealed class FileModeTests
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task The_database_its_wal_and_shm_images_thumbnails_and_the_certificate_are_0600_in_0700_folders()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = JobsHost.Start();
        var id = await host.SubmitAsync("coals");
        var done = await host.WaitForAsync(id, "Succeeded");
        var image = done.GetProperty("images").EnumerateArray().First();
        foreach (var property in image.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.StartsWith('/')))
        {
            using var _ = await host.Api.GetAsync(property.Value.GetString(), ct); // the image and its thumbnail, made on first request
        }

        var root = host.App.StorageRoot;
        var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
        var folders = Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Append(root).ToList();

        Assert.Contains(files, f => f.EndsWith("imagehub.db-wal", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("imagehub.db-shm", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".pfx", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}images{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == File0600, $"{Path.GetRelativePath(root, f)} is {File.GetUnixFileMode(f)}"));
        Assert.All(folders, d => Assert.True(File.GetUnixFileMode(d) == Folder, $"{Path.GetRelativePath(root, d)} is {File.GetUnixFileMode(d)}"));
    }
}
