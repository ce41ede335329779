namespace Mantle.Sealing.Internal;

/// <summary>Creates files that hold secrets: never overwrites, mode 0600 from the first byte on Unix.</summary>
internal static class SecretFile
{
    public static void WriteNew(string path, ReadOnlySpan<byte> content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new SealingException(SealingErrorCode.OutputExists,
                $"'{path}' exists already; choose another path or delete it first (existing keys are never overwritten).");
        }

        using (stream)
        {
            stream.Write(content);
        }

        if (!OperatingSystem.IsWindows())
        {
            // The umask can only remove bits, but a pre-set default ACL could add some: state the mode explicitly.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
