using Mantle.Sealing.Keys;
using Mantle.Serving.Repository.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Serving.Repository;

/// <summary>
/// Reads sealed model versions (a folder with a signed <c>mantle-manifest.json</c> and <c>*.sealed</c> files, made by
/// <c>mantle seal</c>). The manifest signature is checked against the owner key before any model key is asked for;
/// the model key comes from an <see cref="IModelKeyResolver"/> (key files today, a key broker later); every file is
/// unsealed into memory and its plaintext hash checked. The model bytes go to ONNX Runtime from memory and are
/// cleared once the session exists: nothing plaintext is written to disk. Put it before <see cref="OnnxFileSource"/>
/// so that a sealed folder is never read any other way.
/// </summary>
public sealed class SealedModelSource : IModelSource
{
    private readonly SealedFolderLoader _loader;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _keyIds = new(StringComparer.Ordinal);
    private long _unsealTicks;

    /// <summary>Creates the source.</summary>
    /// <param name="ownerKey">The owner's public signing key (<c>--owner-key</c>), or null: sealed folders are then refused with a message saying to pass it.</param>
    /// <param name="keys">Where model keys come from (<c>--key-file</c>); the source does not dispose it.</param>
    /// <param name="logger">Where unsealing is logged, or null.</param>
    public SealedModelSource(OwnerPublicKey? ownerKey, IModelKeyResolver keys, ILogger<SealedModelSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _loader = new SealedFolderLoader(ownerKey, keys, logger ?? (ILogger)NullLogger.Instance);
    }

    /// <summary>True: every folder's manifest is verified against the owner key before any bytes are returned.</summary>
    public bool IsSealed => true;

    /// <inheritdoc />
    public bool CanRead(string versionDirectory) => Sealing.SealedModel.IsSealedFolder(versionDirectory);

    /// <summary>
    /// Verifies and unseals the folder and returns the model bytes in a pinned array, which the caller clears
    /// (<see cref="System.Security.Cryptography.CryptographicOperations.ZeroMemory"/>) as soon as the ONNX Runtime
    /// session exists. Every other plaintext buffer is cleared before this returns.
    /// </summary>
    /// <exception cref="Engine.ModelLoadException">
    /// No owner key or model key is configured for the folder, or verification failed (signature, other owner key,
    /// missing, extra or altered file, wrong model key); the message names the folder, the file and the reason.
    /// </exception>
    public async Task<byte[]> ReadAsync(string versionDirectory, CancellationToken cancellationToken = default)
    {
        var (model, keyId, unseal) = await _loader.LoadAsync(versionDirectory, cancellationToken).ConfigureAwait(false);
        _keyIds[versionDirectory] = keyId;
        Interlocked.Add(ref _unsealTicks, unseal.Ticks);
        return model;
    }

    /// <summary>The time spent unsealing so far, counted from each model key's arrival (key release excluded).</summary>
    internal TimeSpan UnsealTime => TimeSpan.FromTicks(Interlocked.Read(ref _unsealTicks));

    /// <summary>
    /// The version folders last read successfully with model key <paramref name="keyId"/>, as recorded when they were
    /// verified and unsealed (not read again from the disk, which the host controls).
    /// </summary>
    public IReadOnlyList<string> FoldersSealedWith(string keyId) =>
        [.. _keyIds.Where(kv => string.Equals(kv.Value, keyId, StringComparison.Ordinal)).Select(kv => kv.Key)];
}
