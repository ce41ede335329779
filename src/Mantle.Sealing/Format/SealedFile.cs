using Mantle.Sealing.Internal;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Format;

/// <summary>
/// Seals and opens single files in the streaming format (docs/sealed-format.md). Memory stays bounded by a few
/// I/O blocks whatever the length. Most callers want <see cref="ModelSealer"/> and <see cref="SealedModelReader"/>,
/// which add the signed manifest.
/// </summary>
public static class SealedFile
{
    /// <summary>
    /// Seals <paramref name="plaintext"/> into <paramref name="destination"/> for the file at
    /// <paramref name="relativePath"/> (the path is bound into the file key: the file opens only under that path).
    /// </summary>
    /// <returns>The number of plaintext bytes sealed.</returns>
    /// <exception cref="SealingException">The path or chunk size is not allowed.</exception>
    public static async Task<long> SealAsync(
        Stream plaintext, Stream destination, ModelKey key, string relativePath, int chunkSize = SealedFormat.DefaultChunkSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(key);
        var result = await StreamSealer.SealAsync(plaintext, destination, key, relativePath, chunkSize, null, cancellationToken).ConfigureAwait(false);
        return result.Length;
    }

    /// <summary>
    /// Opens <paramref name="sealedInput"/> into <paramref name="destination"/>. Each chunk is authenticated before it is
    /// written, but truncation shows only at the end: if this throws, discard everything written.
    /// </summary>
    /// <returns>The number of plaintext bytes written.</returns>
    /// <exception cref="SealingException">The input is not a sealed file for this key and path, or was altered, cut or extended.</exception>
    public static async Task<long> UnsealAsync(
        Stream sealedInput, Stream destination, ModelKey key, string relativePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sealedInput);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(key);
        var result = await StreamUnsealer.UnsealAsync(sealedInput, relativePath, key, null, null, destination, null, cancellationToken).ConfigureAwait(false);
        return result.Length;
    }
}
