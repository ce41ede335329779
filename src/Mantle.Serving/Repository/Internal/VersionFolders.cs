using System.Globalization;

namespace Mantle.Serving.Repository.Internal;

/// <summary>Reads a model's base path: its version folders and what each looks like.</summary>
internal static class VersionFolders
{
    /// <summary>The sub-folders named by a non-negative integer, by version.</summary>
    /// <exception cref="IOException">The base path cannot be listed.</exception>
    public static SortedDictionary<long, string> List(string basePath)
    {
        var result = new SortedDictionary<long, string>();
        foreach (var directory in Directory.EnumerateDirectories(basePath))
        {
            var name = Path.GetFileName(directory);
            if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                result[version] = directory;
            }
        }

        return result;
    }

    /// <summary>File count, total size and newest write time: a folder that changes is worth loading again.</summary>
    public static string Fingerprint(string folder)
    {
        try
        {
            var files = new DirectoryInfo(folder).GetFiles("*", SearchOption.AllDirectories);
            var latest = files.Length == 0 ? 0 : files.Max(f => f.LastWriteTimeUtc.Ticks);
            return FormattableString.Invariant($"{files.Length}:{files.Sum(f => f.Length)}:{latest}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "unreadable";
        }
    }
}
