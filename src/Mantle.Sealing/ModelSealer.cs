using System.Security.Cryptography;
using Mantle.Sealing.Internal;
using Mantle.Sealing.Keys;
using Mantle.Sealing.Manifest;

namespace Mantle.Sealing;

/// <summary>Seals a model file or folder into a sealed model folder: one <c>.sealed</c> file per input file and a signed manifest.</summary>
public static class ModelSealer
{
    /// <summary>
    /// Seals <paramref name="inputPath"/> (a file or a folder, recursively) into <paramref name="outputDirectory"/>,
    /// which must not exist or be empty. The manifest is written last, so a folder without one is incomplete.
    /// </summary>
    /// <returns>The manifest that was signed.</returns>
    /// <exception cref="SealingException">The input is missing or has a path that cannot be sealed, or the output is not empty.</exception>
    public static async Task<SealedModelManifest> SealAsync(
        string inputPath, string outputDirectory, ModelKey key, OwnerSigningKey signingKey, ModelSealOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(signingKey);
        options ??= new ModelSealOptions();
        var inputs = ListInputs(inputPath, outputDirectory);
        PrepareOutput(outputDirectory);

        try
        {
            var entries = new List<SealedFileEntry>();
            foreach (var (relative, source) in inputs)
            {
                RelativePath.Validate(relative);
                var sealedName = relative + SealedModel.SealedExtension;
                var target = Path.Combine(outputDirectory, sealedName.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                SealedFileResult result;
                var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
                await using (input.ConfigureAwait(false))
                {
                    var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                    await using (output.ConfigureAwait(false))
                    {
                        result = await StreamSealer.SealAsync(input, output, key, relative, options.ChunkSize, options.Progress, cancellationToken).ConfigureAwait(false);
                    }
                }

                entries.Add(new SealedFileEntry
                {
                    Path = relative,
                    Size = result.Length,
                    Sha256 = Convert.ToHexStringLower(result.Sha256),
                    SealedName = sealedName,
                    HeaderSha256 = Convert.ToHexStringLower(SHA256.HashData(result.Header)),
                });
            }

            var now = options.TimeProvider.GetUtcNow();
            var manifest = new SealedModelManifest
            {
                Name = options.Name ?? DefaultName(inputPath),
                Version = options.Version,
                Platform = options.Platform ?? (inputs.Any(i => i.Relative.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                    ? SealedModelManifest.PlatformOnnx
                    : SealedModelManifest.PlatformFiles),
                KeyId = key.Id,
                CreatedAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero),
                Files = entries,
            };
            if (manifest.Platform is not (SealedModelManifest.PlatformOnnx or SealedModelManifest.PlatformFiles))
            {
                throw new SealingException(SealingErrorCode.ManifestInvalid, $"The platform \"{manifest.Platform}\" is neither \"onnx\" nor \"files\".");
            }

            await ManifestFile.WriteAtomicAsync(outputDirectory, ManifestCodec.Sign(manifest, signingKey), cancellationToken).ConfigureAwait(false);
            return manifest;
        }
        catch
        {
            // A half-written sealed folder would only confuse: remove what this call created.
            Directory.Delete(outputDirectory, recursive: true);
            throw;
        }
    }

    private static List<(string Relative, string Source)> ListInputs(string inputPath, string outputDirectory)
    {
        if (File.Exists(inputPath))
        {
            return [(Path.GetFileName(inputPath), inputPath)];
        }

        if (!Directory.Exists(inputPath))
        {
            throw new SealingException(SealingErrorCode.InvalidPath, $"'{inputPath}' does not exist; pass the model file or folder to seal.");
        }

        var root = Path.GetFullPath(inputPath);
        var output = Path.GetFullPath(outputDirectory);
        if (output.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || output == root)
        {
            throw new SealingException(SealingErrorCode.InvalidPath, $"The output '{outputDirectory}' is inside the input '{inputPath}'; choose an output outside it.");
        }

        var files = ManifestFile.ListRelative(root);
        if (files.Count == 0)
        {
            throw new SealingException(SealingErrorCode.InvalidPath, $"'{inputPath}' holds no files to seal.");
        }

        return files.Select(relative => (relative, Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)))).ToList();
    }

    private static void PrepareOutput(string outputDirectory)
    {
        if (File.Exists(outputDirectory) || (Directory.Exists(outputDirectory) && Directory.EnumerateFileSystemEntries(outputDirectory).Any()))
        {
            throw new SealingException(SealingErrorCode.OutputExists, $"'{outputDirectory}' exists and is not empty; seal into a new folder.");
        }

        Directory.CreateDirectory(outputDirectory);
    }

    private static string DefaultName(string inputPath)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(Path.GetFullPath(inputPath));
        return File.Exists(trimmed) ? Path.GetFileNameWithoutExtension(trimmed) : Path.GetFileName(trimmed);
    }
}
