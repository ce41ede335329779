using System.Buffers;
using System.Security.Cryptography;
using Mantle.Sealing.Format;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Internal;

/// <summary>What a sealed file must match, from its signed manifest entry.</summary>
internal sealed record UnsealExpectation(long Length, byte[] Sha256, byte[] HeaderSha256, string? KeyId = null);

/// <summary>
/// Opens a sealed stream chunk by chunk. Plaintext goes either straight into a caller's array (in-memory loading, no
/// copy) or through a cleared block buffer to a stream. Every chunk is authenticated before its plaintext is used.
/// </summary>
internal static class StreamUnsealer
{
    public static async Task<SealedFileResult> UnsealAsync(
        Stream input,
        string relativePath,
        ModelKey key,
        UnsealExpectation? expected,
        byte[]? destination,
        Stream? output,
        Action<long>? progress,
        CancellationToken cancellationToken)
    {
        RelativePath.Validate(relativePath);
        var headerBytes = new byte[SealedFormat.HeaderSize];
        var headerCount = await StreamSealer.ReadFullAsync(input, headerBytes, cancellationToken).ConfigureAwait(false);
        var header = SealedFileHeader.Parse(headerBytes.AsSpan(0, headerCount), relativePath);

        if (expected is not null)
        {
            SealedFileChecks.CheckHeader(header, expected, relativePath);
        }

        if (!string.Equals(header.KeyId, key.Id, StringComparison.Ordinal))
        {
            throw new SealingException(SealingErrorCode.KeyMismatch,
                $"'{relativePath}' was sealed with model key {header.KeyId}, but key {key.Id} was supplied; pass the key file whose id is {header.KeyId}.");
        }

        var chunkSize = header.ChunkSize;
        if (expected is not null && input.CanSeek)
        {
            SealedFileChecks.CheckSealedLength(relativePath, SealedFormat.HeaderSize + input.Length - input.Position, expected.Length, chunkSize);
        }

        using var cipher = new ChunkCipher(key, header, relativePath);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sealedChunkSize = chunkSize + SealedFormat.TagSize;
        var chunksPerBlock = Math.Max(1, StreamSealer.IoBlockSize / chunkSize);
        var blockSize = chunksPerBlock * sealedChunkSize;
        var current = ArrayPool<byte>.Shared.Rent(blockSize);
        var next = ArrayPool<byte>.Shared.Rent(blockSize);
        var plainBlock = destination is null ? ArrayPool<byte>.Shared.Rent(chunksPerBlock * chunkSize) : null;
        try
        {
            long counter = 0;
            long total = 0;
            var count = await StreamSealer.ReadFullAsync(input, current.AsMemory(0, blockSize), cancellationToken).ConfigureAwait(false);
            if (count == 0)
            {
                throw new SealingException(SealingErrorCode.Truncated,
                    $"'{relativePath}' is truncated: it ends right after its header, without any chunk.");
            }

            while (true)
            {
                var nextCount = 0;
                var ends = count < blockSize;
                if (!ends)
                {
                    nextCount = await StreamSealer.ReadFullAsync(input, next.AsMemory(0, blockSize), cancellationToken).ConfigureAwait(false);
                    ends = nextCount == 0;
                }

                var plainInBlock = 0;
                for (var offset = 0; offset < count; offset += sealedChunkSize)
                {
                    var length = Math.Min(sealedChunkSize, count - offset);
                    var final = ends && offset + length == count;
                    var chunk = current.AsSpan(offset, length);
                    if (length < SealedFormat.TagSize)
                    {
                        throw new SealingException(SealingErrorCode.Truncated,
                            $"'{relativePath}' is truncated: chunk {counter} is shorter than its {SealedFormat.TagSize}-byte tag.");
                    }

                    var plainLength = length - SealedFormat.TagSize;
                    Span<byte> plaintext;
                    if (destination is not null)
                    {
                        if (total + plainLength > destination.Length)
                        {
                            throw new SealingException(SealingErrorCode.SizeMismatch,
                                $"'{relativePath}' holds more than the {destination.Length} bytes the manifest lists; the manifest and the sealed file do not belong together.");
                        }

                        plaintext = destination.AsSpan((int)total, plainLength);
                    }
                    else
                    {
                        plaintext = plainBlock.AsSpan(plainInBlock, plainLength);
                    }

                    if (!cipher.TryOpen(counter, final, chunk, plaintext))
                    {
                        throw Diagnose(cipher, relativePath, counter, final, chunk, plaintext, sealedChunkSize);
                    }

                    sha.AppendData(plaintext);
                    counter++;
                    total += plainLength;
                    plainInBlock += plainLength;
                }

                if (output is not null)
                {
                    await output.WriteAsync(plainBlock.AsMemory(0, plainInBlock), cancellationToken).ConfigureAwait(false);
                    CryptographicOperations.ZeroMemory(plainBlock.AsSpan(0, plainInBlock));
                }

                progress?.Invoke(plainInBlock);
                if (ends)
                {
                    break;
                }

                (current, next) = (next, current);
                count = nextCount;
            }

            var hash = sha.GetHashAndReset();
            if (expected is not null)
            {
                if (total != expected.Length)
                {
                    throw new SealingException(SealingErrorCode.SizeMismatch,
                        $"'{relativePath}' unsealed to {total} bytes, but the signed manifest lists {expected.Length}; the manifest and the sealed file do not belong together.");
                }

                if (!CryptographicOperations.FixedTimeEquals(hash, expected.Sha256))
                {
                    throw new SealingException(SealingErrorCode.HashMismatch,
                        $"The plaintext of '{relativePath}' does not have the SHA-256 the signed manifest lists; it was sealed again by someone holding the model key. Refusing it.");
                }
            }

            return new SealedFileResult(header.Bytes, total, hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
            if (plainBlock is not null)
            {
                CryptographicOperations.ZeroMemory(plainBlock.AsSpan(0, chunksPerBlock * chunkSize));
                ArrayPool<byte>.Shared.Return(plainBlock);
            }
        }
    }

    private static SealingException Diagnose(
        ChunkCipher cipher, string relativePath, long counter, bool final, ReadOnlySpan<byte> chunk, Span<byte> scratch, int sealedChunkSize)
    {
        // Trying the other flag tells a clean cut or an append apart from altered bytes; it costs nothing on success paths.
        if (final && chunk.Length == sealedChunkSize && cipher.TryOpen(counter, final: false, chunk, scratch))
        {
            CryptographicOperations.ZeroMemory(scratch);
            return new SealingException(SealingErrorCode.Truncated,
                $"'{relativePath}' is truncated at a chunk boundary: it ends after chunk {counter}, which is not its final chunk. Re-copy the sealed model from the owner.");
        }

        if (!final && cipher.TryOpen(counter, final: true, chunk, scratch))
        {
            CryptographicOperations.ZeroMemory(scratch);
            return new SealingException(SealingErrorCode.TrailingData,
                $"'{relativePath}' has data after its final chunk {counter}; bytes were appended. Re-copy the sealed model from the owner.");
        }

        return new SealingException(SealingErrorCode.ChunkAuthenticationFailed,
            $"Chunk {counter} of '{relativePath}' failed authentication: its ciphertext or tag was altered, chunks were reordered or cut, " +
            "the header was altered, or the file was sealed for another path. Re-copy the sealed model from the owner.");
    }
}
