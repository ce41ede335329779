using System.Security.Cryptography;
using System.Threading.Channels;
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

        // A pipeline like sealing's: reading, decrypting (which authenticates every chunk before its plaintext moves on),
        // hashing the plaintext and writing it run at the same time on different threads, block after block, in order.
        using var sealedPool = new BufferPool(StreamSealer.Depth, blockSize);
        using var plainPool = destination is null ? new BufferPool(StreamSealer.Depth, chunksPerBlock * chunkSize) : null;
        var toDecrypt = Channel.CreateUnbounded<(byte[] Buffer, int Count, bool Final)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var toHash = Channel.CreateUnbounded<PlainBlock>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var toWrite = Channel.CreateUnbounded<PlainBlock>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        long total = 0;

        using var stages = new PipelineStages(cancellationToken);
        stages.Start(async token =>
        {
            try
            {
                long counter = 0;
                await foreach (var (sealedBlock, count, ends) in toDecrypt.Reader.ReadAllAsync(token).ConfigureAwait(false))
                {
                    var blockStart = total;
                    var plainBlock = plainPool is null ? null : await plainPool.TakeAsync(token).ConfigureAwait(false);
                    var plainInBlock = 0;
                    for (var offset = 0; offset < count; offset += sealedChunkSize)
                    {
                        var length = Math.Min(sealedChunkSize, count - offset);
                        var final = ends && offset + length == count;
                        var chunk = sealedBlock.AsSpan(offset, length);
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

                        counter++;
                        total += plainLength;
                        plainInBlock += plainLength;
                    }

                    sealedPool.Return(sealedBlock, 0);
                    // Only authenticated plaintext goes on to the hash and the writer.
                    var block = plainBlock is null
                        ? new PlainBlock(destination!, plainInBlock, ends, users: 1, offset: (int)blockStart)
                        : new PlainBlock(plainBlock, plainInBlock, ends, users: output is null ? 1 : 2);
                    toHash.Writer.TryWrite(block);
                    if (output is not null)
                    {
                        toWrite.Writer.TryWrite(block);
                    }
                }
            }
            finally
            {
                toHash.Writer.TryComplete();
                toWrite.Writer.TryComplete();
            }
        });
        stages.Start(async token =>
        {
            await foreach (var block in toHash.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                sha.AppendData(block.Buffer, block.Offset, block.Count);
                if (output is null)
                {
                    progress?.Invoke(block.Count);
                }

                block.Release(plainPool);
            }
        });
        if (output is not null)
        {
            stages.Start(async token =>
            {
                await foreach (var block in toWrite.Reader.ReadAllAsync(token).ConfigureAwait(false))
                {
                    await output.WriteAsync(block.Buffer.AsMemory(0, block.Count), token).ConfigureAwait(false);
                    progress?.Invoke(block.Count);
                    block.Release(plainPool);
                }
            });
        }

        var reader = stages.RunAsync(async token =>
        {
            try
            {
                await StreamSealer.ReadBlocksAsync(input, sealedPool, blockSize, (buffer, count, final) =>
                {
                    if (count == 0)
                    {
                        throw new SealingException(SealingErrorCode.Truncated,
                            $"'{relativePath}' is truncated: it ends right after its header, without any chunk.");
                    }

                    toDecrypt.Writer.TryWrite((buffer, count, final));
                }, token).ConfigureAwait(false);
            }
            finally
            {
                toDecrypt.Writer.TryComplete();
            }
        });

        await stages.WhenAllAsync(reader).ConfigureAwait(false);
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
