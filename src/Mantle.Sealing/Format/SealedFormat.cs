namespace Mantle.Sealing.Format;

/// <summary>Constants of the sealed file format, version 1 (see docs/sealed-format.md).</summary>
public static class SealedFormat
{
    /// <summary>The current format version, byte 8 of the header.</summary>
    public const byte Version = 1;

    /// <summary>The algorithm id of AES-256-GCM with a 96-bit STREAM nonce, byte 9 of the header.</summary>
    public const byte AlgorithmAes256Gcm = 1;

    /// <summary>The header length in bytes.</summary>
    public const int HeaderSize = 56;

    /// <summary>The AES-GCM tag length that follows each chunk's ciphertext, in bytes.</summary>
    public const int TagSize = 16;

    /// <summary>The default plaintext bytes per chunk: 1 MiB (measured faster than 64 KiB, see docs/sealed-format.md).</summary>
    public const int DefaultChunkSize = 1024 * 1024;

    /// <summary>The smallest chunk size a header may declare, in bytes.</summary>
    public const int MinChunkSize = 256;

    /// <summary>The largest chunk size a header may declare, in bytes (16 MiB).</summary>
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>The length of the sealed file for a plaintext of <paramref name="plaintextLength"/> bytes.</summary>
    public static long GetSealedLength(long plaintextLength, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, MinChunkSize);
        return HeaderSize + plaintextLength + (GetChunkCount(plaintextLength, chunkSize) * TagSize);
    }

    /// <summary>The number of chunks for a plaintext of <paramref name="plaintextLength"/> bytes (an empty plaintext has one empty chunk).</summary>
    public static long GetChunkCount(long plaintextLength, int chunkSize) =>
        plaintextLength == 0 ? 1 : ((plaintextLength - 1) / chunkSize) + 1;
}
