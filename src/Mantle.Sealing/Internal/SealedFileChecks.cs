using System.Security.Cryptography;
using Mantle.Sealing.Format;

namespace Mantle.Sealing.Internal;

/// <summary>
/// The checks of one sealed file against its signed manifest entry that need no model key: the header and the length.
/// Unsealing runs them before the first chunk; <c>mantle inspect --owner-key</c> runs them alone.
/// </summary>
internal static class SealedFileChecks
{
    /// <summary>
    /// Reads and parses the header (magic, format version, algorithm, reserved bytes, chunk size), compares it with the
    /// manifest entry and compares the file's length with the length the entry's plaintext size implies.
    /// </summary>
    /// <param name="input">The sealed file, positioned at its start; left positioned after the header.</param>
    /// <param name="expected">The file's entry in the signed manifest, with the manifest's key id.</param>
    /// <param name="name">The file's name in messages.</param>
    public static SealedFileHeader CheckWithoutKey(FileStream input, UnsealExpectation expected, string name)
    {
        var bytes = new byte[SealedFormat.HeaderSize];
        var count = input.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        var header = SealedFileHeader.Parse(bytes.AsSpan(0, count), name);
        CheckHeader(header, expected, name);
        CheckSealedLength(name, input.Length, expected.Length, header.ChunkSize);
        return header;
    }

    /// <summary>The header names the manifest's model key and has the SHA-256 the manifest recorded for it.</summary>
    public static void CheckHeader(SealedFileHeader header, UnsealExpectation expected, string name)
    {
        if (expected.KeyId is { } keyId && !string.Equals(header.KeyId, keyId, StringComparison.Ordinal))
        {
            throw new SealingException(SealingErrorCode.HeaderMismatch,
                $"'{name}' was sealed with model key {header.KeyId}, but the signed manifest names model key {keyId}: the file comes from another sealed model. "
                + "Re-copy the sealed model from the owner.");
        }

        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(header.Bytes), expected.HeaderSha256))
        {
            throw new SealingException(SealingErrorCode.HeaderMismatch,
                $"The header of '{name}' does not match the signed manifest: the sealed file was replaced by another one or its header was altered. Re-copy the sealed model from the owner.");
        }
    }

    /// <summary>The sealed length is exactly the one the plaintext length and the chunk size give.</summary>
    public static void CheckSealedLength(string name, long actual, long plaintextLength, int chunkSize)
    {
        var expected = SealedFormat.GetSealedLength(plaintextLength, chunkSize);
        if (actual < expected)
        {
            throw new SealingException(SealingErrorCode.Truncated,
                $"'{name}' is truncated: it has {actual} bytes, but the {plaintextLength}-byte file the manifest lists seals to {expected}. Re-copy the sealed model from the owner.");
        }

        if (actual > expected)
        {
            throw new SealingException(SealingErrorCode.TrailingData,
                $"'{name}' has {actual - expected} bytes more than the {expected} its manifest entry implies; data was appended. Re-copy the sealed model from the owner.");
        }
    }
}
