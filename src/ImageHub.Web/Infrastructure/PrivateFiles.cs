namespace ImageHub.Web.Infrastructure;

/// <summary>
/// Everything under <c>Storage:Root</c> is for the app's user alone: folders 0700, files 0600 (the SQLite file and,
/// because SQLite gives them the database file's mode, its -wal and -shm; images, thumbnails, the key ring's certificate).
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> and each missing parent as 0700; an existing folder keeps its mode.</summary>
    public static DirectoryInfo CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) return Directory.CreateDirectory(path);
        var missing = new Stack<string>();
        for (var folder = Path.GetFullPath(path); !string.IsNullOrEmpty(folder) && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            missing.Push(folder);
        }
        foreach (var folder in missing) Directory.CreateDirectory(folder, FolderMode); // the mode applies to the folder it makes, not its parents
        return new DirectoryInfo(path);
    }

    /// <summary>Makes an existing folder of the app's (Storage:Root, which may predate this rule) 0700; leaves it be when it is not the app's to change.</summary>
    public static void Restrict(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            if (File.GetUnixFileMode(folder) != FolderMode) File.SetUnixFileMode(folder, FolderMode);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Owned by someone else (a mounted volume): its owner decides.
        }
    }

    /// <summary>Writes a new file readable only by the app's user (0600 from the moment it exists).</summary>
    public static async Task WriteNewAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await using var stream = OpenNew(path);
        await stream.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>Creates (or truncates) a file as 0600.</summary>
    public static FileStream OpenNew(string path)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        return new FileStream(path, options);
    }

    /// <summary>Creates an empty file as 0600 unless it exists (so a program that later opens it, such as SQLite, keeps that mode).</summary>
    public static void Touch(string path)
    {
        if (File.Exists(path)) return;
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        try
        {
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance made it first.
        }
    }
}
