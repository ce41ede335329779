using System.Buffers;
using System.Security.Cryptography;
using Mantle.Sealing.Format;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Internal;

/// <summary>What sealing one file produced, for its manifest entry.</summary>
internal sealed record SealedFileResult(byte[] Header, long Length, byte[] Sha256);

/// <summary>Seals a plaintext stream chunk by chunk with bounded memory (a few I/O blocks, whatever the length).</summary>
internal static class StreamSealer
{
    /// <summary>Plaintext bytes read or written per I/O call: several small chunks are batched into one.</summary>
    public const int IoBlockSize = 1024 * 1024;

    public static async Task<SealedFileResult> SealAsync(
        Stream input, Stream output, ModelKey key, string relativePath, int chunkSize, Action<long>? progress, CancellationToken cancellationToken)
    {
        RelativePath.Validate(relativePath);
        var header = SealedFileHeader.Create(key.Id, chunkSize);
        using var cipher = new ChunkCipher(key, header, relativePath);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var chunksPerBlock = Math.Max(1, IoBlockSize / chunkSize);
        var blockSize = chunksPerBlock * chunkSize;
        var current = ArrayPool<byte>.Shared.Rent(blockSize);
        var next = ArrayPool<byte>.Shared.Rent(blockSize);
        var sealedBlock = ArrayPool<byte>.Shared.Rent(chunksPerBlock * (chunkSize + SealedFormat.TagSize));
        try
        {
            await output.WriteAsync(header.Bytes, cancellationToken).ConfigureAwait(false);
            long counter = 0;
            long total = 0;
            var count = await ReadFullAsync(input, current.AsMemory(0, blockSize), cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var nextCount = 0;
                var ends = count < blockSize;
                if (!ends)
                {
                    nextCount = await ReadFullAsync(input, next.AsMemory(0, blockSize), cancellationToken).ConfigureAwait(false);
                    ends = nextCount == 0;
                }

                var sealedLength = SealBlock(cipher, ref counter, current.AsSpan(0, count), ends, chunkSize, sealedBlock);
                sha.AppendData(current, 0, count);
                CryptographicOperations.ZeroMemory(current.AsSpan(0, count));
                total += count;
                await output.WriteAsync(sealedBlock.AsMemory(0, sealedLength), cancellationToken).ConfigureAwait(false);
                progress?.Invoke(count);
                if (ends)
                {
                    break;
                }

                (current, next) = (next, current);
                count = nextCount;
            }

            return new SealedFileResult(header.Bytes, total, sha.GetHashAndReset());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(current.AsSpan(0, blockSize));
            CryptographicOperations.ZeroMemory(next.AsSpan(0, blockSize));
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
            ArrayPool<byte>.Shared.Return(sealedBlock);
        }
    }

    internal static async ValueTask<int> ReadFullAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken) =>
        await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);

    private static int SealBlock(ChunkCipher cipher, ref long counter, ReadOnlySpan<byte> plaintext, bool ends, int chunkSize, Span<byte> sealedBlock)
    {
        if (plaintext.IsEmpty)
        {
            // Only an empty input gets here: it is sealed as one empty final chunk (just a tag).
            cipher.Seal(counter++, final: true, plaintext, sealedBlock);
            return SealedFormat.TagSize;
        }

        var written = 0;
        for (var offset = 0; offset < plaintext.Length; offset += chunkSize)
        {
            var length = Math.Min(chunkSize, plaintext.Length - offset);
            var final = ends && offset + length == plaintext.Length;
            cipher.Seal(counter++, final, plaintext.Slice(offset, length), sealedBlock[written..]);
            written += length + SealedFormat.TagSize;
        }

        return written;
    }
}
