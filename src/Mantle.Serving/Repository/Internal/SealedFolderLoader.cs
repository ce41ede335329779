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

    /// <summary>
    /// Verifies and unseals the folder; returns the model bytes, the id of the model key that unsealed them and the time
    /// the unsealing took once the key was there.
    /// </summary>
    public async Task<(byte[] Model, string KeyId, TimeSpan Unseal)> LoadAsync(string folder, CancellationToken cancellationToken)
    {
        if (ownerKey is null)
        {
            throw new ModelLoadException(
                $"{folder} holds a sealed model{DescribeUnverified(folder)}, but no owner public key is configured to verify its manifest; "
                + $"pass {OwnerKeyFlag} FILE.pub (the model owner's public signing key, written by 'mantle keys signing create').");
        }

        try
        {
            // The signature is checked before any key is asked for: an unsigned folder never reaches the key resolver.
            var manifest = new SealedModelReader(ownerKey, NoKeys.Instance).VerifyManifest(folder);
            ChooseModelFile(folder, manifest);
            SealedModelLog.ManifestVerified(logger, manifest.Name, manifest.Version, folder, ownerKey.Thumbprint, manifest.KeyId);

            // The reader verifies the manifest again and asks for the key it names, once; it reads ahead while the key
            // is on its way. Unsealing is timed from the key's arrival.
            var timed = new TimedKeys(keys, folder, manifest);
            var reader = new SealedModelReader(ownerKey, timed);
            using var unsealed = await reader.ReadAsync(folder, cancellationToken).ConfigureAwait(false);
            var modelFile = ChooseModelFile(folder, unsealed.Manifest);

            // The reader's pinned buffer itself, not a copy: the repository clears it once the session exists, and
            // disposing the unsealed model clears every other buffer the reader made (files ONNX Runtime does not need).
            var model = unsealed.TakeContent(modelFile);
            var unseal = Stopwatch.GetElapsedTime(timed.ArrivedAt);
            SealedModelLog.Unsealed(logger, modelFile, model.LongLength, unsealed.Files.Count, folder, (long)unseal.TotalMilliseconds);
            return (model, unsealed.Manifest.KeyId, unseal);
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

    /// <summary>The configured resolver, noting when the key arrived; a missing key is refused naming the option that supplies it.</summary>
    private sealed class TimedKeys(IModelKeyResolver inner, string folder, SealedModelManifest manifest) : IModelKeyResolver
    {
        public long ArrivedAt { get; private set; }

        public async ValueTask<ModelKey?> ResolveAsync(string keyId, CancellationToken cancellationToken = default)
        {
            var key = await inner.ResolveAsync(keyId, cancellationToken).ConfigureAwait(false);
            ArrivedAt = Stopwatch.GetTimestamp();
            return key ?? throw new ModelLoadException(
                $"The sealed model in {folder} (manifest '{manifest.Name}' version {manifest.Version}) needs model key {keyId}, which was not supplied; "
                + $"pass {KeyFileFlag} FILE with the model key file whose id is {keyId} (written by 'mantle keys create').");
        }
    }
}
