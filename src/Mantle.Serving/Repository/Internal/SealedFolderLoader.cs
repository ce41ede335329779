using System.Diagnostics;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Mantle.Sealing.Manifest;
using Mantle.Serving.Engine;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Repository.Internal;

/// <summary>Verifies, unseals into memory and picks the ONNX model of a sealed version folder.</summary>
internal sealed class SealedFolderLoader(OwnerPublicKey? ownerKey, IModelKeyResolver keys, ILogger logger)
{
    public const string OwnerKeyFlag = "--owner-key";
    public const string KeyFileFlag = "--key-file";

    /// <summary>Verifies and unseals the folder; returns the model bytes and the id of the model key that unsealed them.</summary>
    public async Task<(byte[] Model, string KeyId)> LoadAsync(string folder, CancellationToken cancellationToken)
    {
        if (ownerKey is null)
        {
            throw new ModelLoadException(
                $"{folder} holds a sealed model{DescribeUnverified(folder)}, but no owner public key is configured to verify its manifest; "
                + $"pass {OwnerKeyFlag} FILE.pub (the model owner's public signing key, written by 'mantle keys signing create').");
        }

        var stopwatch = Stopwatch.StartNew();
        try
        {
            // The signature is checked before any key is asked for: an unsigned folder never reaches the key resolver.
            var manifest = new SealedModelReader(ownerKey, NoKeys.Instance).VerifyManifest(folder);
            ChooseModelFile(folder, manifest);
            var key = await keys.ResolveAsync(manifest.KeyId, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                throw new ModelLoadException(
                    $"The sealed model in {folder} (manifest '{manifest.Name}' version {manifest.Version}) needs model key {manifest.KeyId}, which was not supplied; "
                    + $"pass {KeyFileFlag} FILE with the model key file whose id is {manifest.KeyId} (written by 'mantle keys create').");
            }

            SealedModelLog.ManifestVerified(logger, manifest.Name, manifest.Version, folder, ownerKey.Thumbprint, manifest.KeyId);
            // The key is asked for once per load (a key broker answers over the network); the reader verifies the
            // manifest again and gets only this key, so a folder swapped in between is refused, not unsealed.
            var reader = new SealedModelReader(ownerKey, new OneKey(key));
            using var unsealed = await reader.ReadAsync(folder, cancellationToken).ConfigureAwait(false);
            var modelFile = ChooseModelFile(folder, unsealed.Manifest);

            // The reader's pinned buffer itself, not a copy: the repository clears it once the session exists, and
            // disposing the unsealed model clears every other buffer the reader made (files ONNX Runtime does not need).
            var model = unsealed.TakeContent(modelFile);
            SealedModelLog.Unsealed(logger, modelFile, model.LongLength, unsealed.Files.Count, folder, stopwatch.ElapsedMilliseconds);
            return (model, key.Id);
        }
        catch (SealingException ex)
        {
            var message = $"The sealed model in {folder} was refused ({ex.Code}): {ex.Message}{Hint(ex.Code)}";
            // A manifest the owner key did not sign is not the owner's model: refused as untrusted, like a plaintext
            // version, rather than failed as a damaged copy of the owner's model.
            throw ex.Code is SealingErrorCode.ManifestUntrustedSigner or SealingErrorCode.ManifestSignatureInvalid
                ? new ModelRefusedException(message, ex)
                : new ModelLoadException(message, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"Cannot read the sealed model in {folder}: {ex.Message}", ex);
        }
    }

    /// <summary>The manifest's <c>model.onnx</c>, or its only <c>.onnx</c> file.</summary>
    private static string ChooseModelFile(string folder, SealedModelManifest manifest)
    {
        if (!string.Equals(manifest.Platform, SealedModelManifest.PlatformOnnx, StringComparison.Ordinal))
        {
            throw new ModelLoadException(
                $"The sealed folder {folder} holds platform '{manifest.Platform}' files, not an ONNX model; seal the model folder or .onnx file with 'mantle seal'.");
        }

        if (manifest.Files.Any(f => string.Equals(f.Path, OnnxFileSource.FileName, StringComparison.Ordinal)))
        {
            return OnnxFileSource.FileName;
        }

        var onnx = manifest.Files.Where(f => f.Path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)).ToList();
        return onnx.Count == 1
            ? onnx[0].Path
            : throw new ModelLoadException(
                $"The sealed model in {folder} has {(onnx.Count == 0 ? "no" : onnx.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))} .onnx files "
                + $"({string.Join(", ", manifest.Files.Select(f => f.Path))}); it needs a {OnnxFileSource.FileName} or exactly one .onnx file.");
    }

    private static string DescribeUnverified(string folder)
    {
        try
        {
            var manifest = SealedModel.Inspect(folder).Manifest;
            return $" (manifest '{manifest.Name}' version {manifest.Version}, model key {manifest.KeyId}; not verified)";
        }
        catch (SealingException)
        {
            return string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static string Hint(SealingErrorCode code) => code switch
    {
        SealingErrorCode.KeyNotFound or SealingErrorCode.KeyMismatch => $" Model keys are passed with {KeyFileFlag} FILE.",
        SealingErrorCode.ManifestUntrustedSigner => $" The owner key is passed with {OwnerKeyFlag} FILE.pub.",
        _ => string.Empty,
    };

    /// <summary>Holds no key: verifying a manifest needs none.</summary>
    private sealed class NoKeys : IModelKeyResolver
    {
        public static readonly NoKeys Instance = new();

        public ValueTask<ModelKey?> ResolveAsync(string keyId, CancellationToken cancellationToken = default) => ValueTask.FromResult<ModelKey?>(null);
    }

    /// <summary>The one key already resolved for this load; owned by the configured resolver.</summary>
    private sealed class OneKey(ModelKey key) : IModelKeyResolver
    {
        public ValueTask<ModelKey?> ResolveAsync(string keyId, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(string.Equals(keyId, key.Id, StringComparison.Ordinal) ? key : null);
    }
}
