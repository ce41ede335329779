using System.Security.Cryptography;
using System.Threading.Channels;
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

    /// <summary>Blocks in flight per stage: enough to keep every stage busy, few enough that memory stays flat.</summary>
    internal const int Depth = 4;

    /// <summary>
    /// Seals <paramref name="input"/> into <paramref name="output"/> as a pipeline: reading, hashing the plaintext,
    /// encrypting and writing run at the same time on different threads, block after block, so that on a machine with
    /// two or more cores the hash (the slowest step) no longer waits for encryption and I/O. Blocks stay in order in
    /// every stage; memory is <see cref="Depth"/> plaintext and as many sealed blocks, whatever the file size.
    /// </summary>
    public static async Task<SealedFileResult> SealAsync(
        Stream input, Stream output, ModelKey key, string relativePath, int chunkSize, Action<long>? progress, CancellationToken cancellationToken)
    {
        RelativePath.Validate(relativePath);
        var header = SealedFileHeader.Create(key.Id, chunkSize);
        using var cipher = new ChunkCipher(key, header, relativePath);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var chunksPerBlock = Math.Max(1, IoBlockSize / chunkSize);
        var blockSize = chunksPerBlock * chunkSize;
        using var plainPool = new BufferPool(Depth, blockSize);
        using var sealedPool = new BufferPool(Depth, chunksPerBlock * (chunkSize + SealedFormat.TagSize));
        var toHash = Channel.CreateUnbounded<PlainBlock>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var toEncrypt = Channel.CreateUnbounded<PlainBlock>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var toWrite = Channel.CreateUnbounded<(byte[] Buffer, int Length, int PlainLength)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        long total = 0;

        using var stages = new PipelineStages(cancellationToken);
        stages.Start(async token =>
        {
            await foreach (var block in toHash.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                sha.AppendData(block.Buffer, 0, block.Count);
                block.Release(plainPool);
            }
        });
        stages.Start(async token =>
        {
            try
            {
                long counter = 0;
                await foreach (var block in toEncrypt.Reader.ReadAllAsync(token).ConfigureAwait(false))
                {
                    var sealedBlock = await sealedPool.TakeAsync(token).ConfigureAwait(false);
                    var length = SealBlock(cipher, ref counter, block.Buffer.AsSpan(0, block.Count), block.Final, chunkSize, sealedBlock);
                    toWrite.Writer.TryWrite((sealedBlock, length, block.Count));
                    block.Release(plainPool);
                }
            }
            finally
            {
                toWrite.Writer.TryComplete();
            }
        });
        stages.Start(async token =>
        {
            await output.WriteAsync(header.Bytes, token).ConfigureAwait(false);
            await foreach (var (buffer, length, plainLength) in toWrite.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                await output.WriteAsync(buffer.AsMemory(0, length), token).ConfigureAwait(false);
                sealedPool.Return(buffer, 0);
                total += plainLength;
                progress?.Invoke(plainLength);
            }
        });

        var reader = stages.RunAsync(async token =>
        {
            try
            {
                await ReadBlocksAsync(input, plainPool, blockSize, (buffer, count, final) =>
                {
                    var block = new PlainBlock(buffer, count, final, users: 2);
                    toHash.Writer.TryWrite(block);
                    toEncrypt.Writer.TryWrite(block);
                }, token).ConfigureAwait(false);
            }
            finally
            {
                toHash.Writer.TryComplete();
                toEncrypt.Writer.TryComplete();
            }
        });

        await stages.WhenAllAsync(reader).ConfigureAwait(false);
        return new SealedFileResult(header.Bytes, total, sha.GetHashAndReset());
    }

    /// <summary>
    /// Reads <paramref name="input"/> block by block into buffers of <paramref name="pool"/> and hands each block on with
    /// one block of look-ahead, so that the block that ends the input is handed on as the last one (a short block, or a
    /// full one that end of input follows). An empty input is handed on as one empty last block.
    /// </summary>
    internal static async Task ReadBlocksAsync(Stream input, BufferPool pool, int blockSize, Action<byte[], int, bool> publish, CancellationToken cancellationToken)
    {
        var current = await pool.TakeAsync(cancellationToken).ConfigureAwait(false);
        var count = await ReadFullAsync(input, current.AsMemory(0, blockSize), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            byte[]? next = null;
            var nextCount = 0;
            if (count == blockSize)
            {
                next = await pool.TakeAsync(cancellationToken).ConfigureAwait(false);
                nextCount = await ReadFullAsync(input, next.AsMemory(0, blockSize), cancellationToken).ConfigureAwait(false);
            }

            var final = nextCount == 0;
            publish(current, count, final);
            if (final)
            {
                if (next is not null)
                {
                    pool.Return(next, 0);
                }

                return;
            }

            (current, count) = (next!, nextCount);
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
