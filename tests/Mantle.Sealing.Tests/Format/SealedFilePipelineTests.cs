using Mantle.Sealing.Format;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Tests.Format;

/// <summary>
/// Sealing and unsealing run as pipelines (read, hash, encrypt or decrypt, write on separate threads): a failure or a
/// cancellation in any stage ends the whole operation with that failure instead of leaving a stage waiting.
/// </summary>
public sealed class SealedFilePipelineTests : IDisposable
{
    private const int Size = (9 * 1024 * 1024) + 333;
    private readonly ModelKey _key = ModelKey.Generate();

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task Seal_OutputFailsMidway_ThrowsThatFailure()
    {
        var plaintext = TestBytes.Random(Size, seed: 1);

        var error = await Assert.ThrowsAsync<IOException>(() =>
            SealedFile.SealAsync(new MemoryStream(plaintext), new FailingStream(failAfterWrites: 3), _key, "model.onnx"));

        Assert.Equal(FailingStream.Message, error.Message);
    }

    [Fact]
    public async Task Seal_InputFailsMidway_ThrowsThatFailure()
    {
        var error = await Assert.ThrowsAsync<IOException>(() =>
            SealedFile.SealAsync(new FailingStream(failAfterWrites: 0, readable: 4 * 1024 * 1024), Stream.Null, _key, "model.onnx"));

        Assert.Equal(FailingStream.Message, error.Message);
    }

    [Fact]
    public async Task Unseal_OutputFailsMidway_ThrowsThatFailure()
    {
        var sealedBytes = await SealAsync(TestBytes.Random(Size, seed: 2));

        var error = await Assert.ThrowsAsync<IOException>(() =>
            SealedFile.UnsealAsync(new MemoryStream(sealedBytes), new FailingStream(failAfterWrites: 2), _key, "model.onnx"));

        Assert.Equal(FailingStream.Message, error.Message);
    }

    [Fact]
    public async Task Unseal_ChunkAlteredInALaterBlock_RefusedWhileEarlierBlocksAreInFlight()
    {
        var sealedBytes = await SealAsync(TestBytes.Random(Size, seed: 3));
        sealedBytes[SealedFormat.HeaderSize + (7 * (SealedFormat.DefaultChunkSize + SealedFormat.TagSize)) + 100] ^= 1;

        var error = await Assert.ThrowsAsync<SealingException>(() =>
            SealedFile.UnsealAsync(new MemoryStream(sealedBytes), Stream.Null, _key, "model.onnx"));

        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
        Assert.Contains("Chunk 7 ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seal_Cancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        var output = new FailingStream(failAfterWrites: int.MaxValue, onWrite: cancellation.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            SealedFile.SealAsync(new GeneratedStream(64L * 1024 * 1024), output, _key, "model.onnx", cancellationToken: cancellation.Token));
    }

    [Fact]
    public async Task SealThenUnseal_ManyBlocks_KeepsBlockOrder()
    {
        // Small chunks and many blocks: any reordering between the pipeline's stages would fail the tags or the bytes.
        var plaintext = TestBytes.Random(Size, seed: 4);
        var sealedStream = new MemoryStream();
        await SealedFile.SealAsync(new MemoryStream(plaintext), sealedStream, _key, "model.onnx", chunkSize: 4096);
        var opened = new MemoryStream();

        await SealedFile.UnsealAsync(new MemoryStream(sealedStream.ToArray()), opened, _key, "model.onnx");

        Assert.Equal(plaintext, opened.ToArray());
    }

    private async Task<byte[]> SealAsync(byte[] plaintext)
    {
        var output = new MemoryStream();
        await SealedFile.SealAsync(new MemoryStream(plaintext), output, _key, "model.onnx");
        return output.ToArray();
    }

    /// <summary>A stream whose writes fail after a number of calls, or whose reads fail after some bytes.</summary>
    private sealed class FailingStream(int failAfterWrites, int readable = 0, Action? onWrite = null) : Stream
    {
        public const string Message = "disk went away";
        private int _writes;
        private int _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= readable)
            {
                throw new IOException(Message);
            }

            var n = Math.Min(count, readable - _read);
            buffer.AsSpan(offset, n).Fill(7);
            _read += n;
            return n;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            onWrite?.Invoke();
            if (++_writes > failAfterWrites)
            {
                throw new IOException(Message);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
