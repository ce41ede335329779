using System.Security.Cryptography;
using Mantle.Sealing.Internal;
using Mantle.Sealing.Keys;
using Mantle.Sealing.Manifest;

namespace Mantle.Sealing;

/// <summary>
/// Opens sealed model folders. Order of checks: the manifest signature against the owner key (before any model key is
/// asked for), the folder's files against the manifest (none missing, none extra), then each file's header (its key id
/// and SHA-256 against the manifest), length, every chunk's tag, its size and plaintext SHA-256. Plaintext goes only to memory (or, for
/// <see cref="ExtractAsync"/>, to the owner's chosen folder).
/// </summary>
public sealed class SealedModelReader
{
    private readonly OwnerPublicKey _ownerKey;
    private readonly IModelKeyResolver _keys;

    /// <summary>Creates a reader that trusts manifests signed by <paramref name="ownerKey"/> and gets model keys from <paramref name="keys"/>.</summary>
    public SealedModelReader(OwnerPublicKey ownerKey, IModelKeyResolver keys)
    {
        ArgumentNullException.ThrowIfNull(ownerKey);
        ArgumentNullException.ThrowIfNull(keys);
        _ownerKey = ownerKey;
        _keys = keys;
    }

    /// <summary>Verifies the manifest signature and that the folder holds exactly the listed files; needs no model key.</summary>
    /// <exception cref="SealingException">The manifest is missing, malformed or not signed by the owner, or files are missing or extra.</exception>
    public SealedModelManifest VerifyManifest(string directory)
    {
        var manifest = ManifestCodec.Verify(ManifestFile.Read(directory), _ownerKey, Path.Combine(directory, SealedModel.ManifestFileName));
        CheckFolderContents(directory, manifest);
        return manifest;
    }

    /// <summary>
    /// Checks everything that needs no model key: what <see cref="VerifyManifest"/> checks (the signature and the file set),
    /// then each sealed file's header (magic, format version, algorithm, reserved bytes, chunk size, the key id against the
    /// manifest's <c>keyId</c>, the header's SHA-256 against the manifest's <c>headerSha256</c>) and its length against the
    /// length that the manifest's plaintext size and the header's chunk size imply. It does not check the ciphertext (chunk
    /// tags) or the plaintext sizes and SHA-256: those need the model key (<see cref="ReadAsync"/>, <see cref="ExtractAsync"/>).
    /// </summary>
    /// <exception cref="SealingException">A check failed; the message names the file (its sealed name) and the reason.</exception>
    public SealedModelManifest VerifyWithoutModelKey(string directory)
    {
        var manifest = VerifyManifest(directory);
        foreach (var entry in manifest.Files)
        {
            using var input = OpenSealed(directory, entry);
            SealedFileChecks.CheckWithoutKey(input, Expectation(entry, manifest), entry.SealedName);
        }

        return manifest;
    }

    /// <summary>
    /// Verifies and unseals every file into memory. Dispose the result to clear the plaintext. While the model key is on
    /// its way (a key broker answers over the network), the plaintext buffers are made ready and the sealed files read
    /// ahead, so that unsealing starts on memory the moment the key arrives.
    /// </summary>
    /// <exception cref="SealingException">Any check failed; the message names the file and the reason. Nothing is left in memory.</exception>
    public async Task<UnsealedModel> ReadAsync(string directory, CancellationToken cancellationToken = default)
    {
        var manifest = VerifyManifest(directory);
        var resolving = ResolveKeyAsync(manifest, cancellationToken);
        var files = new List<UnsealedFile>(manifest.Files.Count);
        try
        {
            foreach (var entry in manifest.Files)
            {
                if (entry.Size > Array.MaxLength)
                {
                    throw new SealingException(SealingErrorCode.TooLarge,
                        $"'{entry.Path}' is {entry.Size} bytes, more than one in-memory buffer holds ({Array.MaxLength}); split the model with ONNX external data files.");
                }

                files.Add(new UnsealedFile(entry.Path, GC.AllocateUninitializedArray<byte>((int)entry.Size, pinned: true)));
            }

            ReadAhead.UntilDone(resolving, files.Select(f => f.Content), manifest.Files.Select(entry => SealedPath(directory, entry)));
            var key = await resolving.ConfigureAwait(false);
            for (var i = 0; i < files.Count; i++)
            {
                var entry = manifest.Files[i];
                var input = OpenSealed(directory, entry);
                await using (input.ConfigureAwait(false))
                {
                    await StreamUnsealer.UnsealAsync(input, entry.Path, key, Expectation(entry, manifest), files[i].Content, null, null, cancellationToken).ConfigureAwait(false);
                }
            }

            return new UnsealedModel(manifest, files);
        }
        catch
        {
            foreach (var file in files)
            {
                CryptographicOperations.ZeroMemory(file.Content);
            }

            throw;
        }
    }

    /// <summary>
    /// Verifies and unseals every file into <paramref name="outputDirectory"/> (which must not exist or be empty), for the
    /// owner's own checks. Files appear under their final names only after every file verified; on failure the output
    /// folder is removed.
    /// </summary>
    /// <exception cref="SealingException">Any check failed, or the output is not empty.</exception>
    public async Task<SealedModelManifest> ExtractAsync(string directory, string outputDirectory, Action<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var manifest = VerifyManifest(directory);
        var key = await ResolveKeyAsync(manifest, cancellationToken).ConfigureAwait(false);
        if (File.Exists(outputDirectory) || (Directory.Exists(outputDirectory) && Directory.EnumerateFileSystemEntries(outputDirectory).Any()))
        {
            throw new SealingException(SealingErrorCode.OutputExists, $"'{outputDirectory}' exists and is not empty; unseal into a new folder.");
        }

        Directory.CreateDirectory(outputDirectory);
        try
        {
            var written = new List<(string Partial, string Final)>();
            foreach (var entry in manifest.Files)
            {
                var final = Path.Combine(outputDirectory, entry.Path.Replace('/', Path.DirectorySeparatorChar));
                var partial = final + ".partial";
                Directory.CreateDirectory(Path.GetDirectoryName(final)!);
                var input = OpenSealed(directory, entry);
                await using (input.ConfigureAwait(false))
                {
                    var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                    await using (output.ConfigureAwait(false))
                    {
                        await StreamUnsealer.UnsealAsync(input, entry.Path, key, Expectation(entry, manifest), null, output, progress, cancellationToken).ConfigureAwait(false);
                    }
                }

                written.Add((partial, final));
            }

            foreach (var (partial, final) in written)
            {
                File.Move(partial, final);
            }

            return manifest;
        }
        catch
        {
            Directory.Delete(outputDirectory, recursive: true);
            throw;
        }
    }

    private static void CheckFolderContents(string directory, SealedModelManifest manifest)
    {
        var present = ManifestFile.ListRelative(directory);
        present.Remove(SealedModel.ManifestFileName);
        var listed = manifest.Files.Select(file => file.SealedName).ToHashSet(StringComparer.Ordinal);
        var missing = listed.Where(name => !present.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new SealingException(SealingErrorCode.FileMissing,
                $"The sealed model in '{directory}' is incomplete: {string.Join(", ", missing.Select(m => $"'{m}'"))} listed in the signed manifest "
                + (missing.Count == 1 ? "is" : "are") + " missing. Re-copy the sealed model from the owner.");
        }

        var extra = present.Where(name => !listed.Contains(name)).ToList();
        if (extra.Count > 0)
        {
            throw new SealingException(SealingErrorCode.UnexpectedFile,
                $"'{directory}' holds {string.Join(", ", extra.Select(e => $"'{e}'"))}, which the signed manifest does not list; "
                + "remove it or re-copy the sealed model from the owner.");
        }
    }

    private static FileStream OpenSealed(string directory, SealedFileEntry entry) =>
        new(SealedPath(directory, entry), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);

    private static string SealedPath(string directory, SealedFileEntry entry) =>
        Path.Combine(directory, entry.SealedName.Replace('/', Path.DirectorySeparatorChar));

    private static UnsealExpectation Expectation(SealedFileEntry entry, SealedModelManifest manifest) =>
        new(entry.Size, Convert.FromHexString(entry.Sha256), Convert.FromHexString(entry.HeaderSha256), manifest.KeyId);

    private async Task<ModelKey> ResolveKeyAsync(SealedModelManifest manifest, CancellationToken cancellationToken) =>
        await _keys.ResolveAsync(manifest.KeyId, cancellationToken).ConfigureAwait(false)
        ?? throw new SealingException(SealingErrorCode.KeyNotFound,
            $"The sealed model '{manifest.Name}' version {manifest.Version} needs model key {manifest.KeyId}, which was not supplied; pass the key file with that id.");
}
