namespace Mantle.Sealing.Internal;

/// <summary>The rules for a file's path inside a sealed model: relative, '/'-separated, no empty, '.' or '..' segments.</summary>
internal static class RelativePath
{
    public const int MaxLength = 1024;

    public static void Validate(string path)
    {
        var reason = Check(path);
        if (reason is not null)
        {
            throw new SealingException(SealingErrorCode.InvalidPath, $"The path '{path}' is not allowed in a sealed model: {reason}.");
        }
    }

    public static string? Check(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "it is empty";
        }

        if (path.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        if (path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal))
        {
            return "it contains a backslash or NUL; use '/' as the separator";
        }

        if (path.StartsWith('/'))
        {
            return "it is absolute";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                return "it has an empty, '.' or '..' segment";
            }
        }

        return null;
    }
}
