using Mantle.Sealing.Manifest;

namespace Mantle.Sealing.Internal;

/// <summary>Reads <c>mantle-manifest.json</c> with a size limit.</summary>
internal static class ManifestFile
{
    public static byte[] Read(string directory)
    {
        var path = Path.Combine(directory, SealedModel.ManifestFileName);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > ManifestCodec.MaxManifestBytes)
            {
                throw new SealingException(SealingErrorCode.ManifestInvalid,
                    $"'{path}' is larger than {ManifestCodec.MaxManifestBytes} bytes; it is not a Mantle manifest.");
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SealingException(SealingErrorCode.ManifestMissing,
                $"'{directory}' is not a sealed model: it has no {SealedModel.ManifestFileName}. Seal the model with 'mantle seal'.", error);
        }
    }

    public static async Task WriteAtomicAsync(string directory, byte[] content, CancellationToken cancellationToken)
    {
        var final = Path.Combine(directory, SealedModel.ManifestFileName);
        var temporary = final + ".tmp";
        await File.WriteAllBytesAsync(temporary, content, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, final, overwrite: false);
    }

    /// <summary>Every file in a folder, as '/'-separated relative paths, ordinal order.</summary>
    public static List<string> ListRelative(string directory)
    {
        var root = Path.GetFullPath(directory);
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(file => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'))
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    internal static SealedFileEntry? Find(SealedModelManifest manifest, string path) =>
        manifest.Files.FirstOrDefault(file => string.Equals(file.Path, path, StringComparison.Ordinal));
}
