using Mantle.Sealing.Format;
using Mantle.Sealing.Internal;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Tests.Format;

/// <summary>
/// The sealing and unsealing pipelines hold a fixed number of blocks: when the output stops taking bytes, the input
/// stops being read after at most <see cref="StreamSealer.Depth"/> blocks per buffer set (two sets: what was read and
/// what waits to be written), whatever the file size; once the output moves again, the operation completes.
/// </summary>
public sealed class SealedFilePipelineMemoryTests : IDisposable
{
    private const long Length = 64L * 1024 * 1024;
    private readonly ModelKey _key = ModelKey.Generate();

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task Seal_OutputStalls_ReadsAtMostEightBlocksAhead()
    {
        var input = new GeneratedStream(Length);
        var output = new GatedStream();

        var sealing = SealedFile.SealAsync(input, output, _key, "model.onnx");
        var readWhileStalled = await ReadSettlesAsync(() => input.Position, sealing);
        output.Open();
        await sealing;

        Assert.True(readWhileStalled <= 2L * StreamSealer.Depth * StreamSealer.IoBlockSize,
            $"read {readWhileStalled} bytes while nothing could be written");
        Assert.Equal(SealedFormat.GetSealedLength(Length, SealedFormat.DefaultChunkSize), output.Written);
    }

    [Fact]
    public async Task Unseal_OutputStalls_ReadsAtMostEightBlocksAhead()
    {
        var sealedBytes = new MemoryStream();
        await SealedFile.SealAsync(new GeneratedStream(Length), sealedBytes, _key, "model.onnx");
        var input = new MemoryStream(sealedBytes.ToArray());
        var output = new GatedStream();

        var unsealing = SealedFile.UnsealAsync(input, output, _key, "model.onnx");
        var readWhileStalled = await ReadSettlesAsync(() => input.Position, unsealing);
        output.Open();
        await unsealing;

        var sealedBlock = StreamSealer.IoBlockSize + SealedFormat.TagSize;
        Assert.True(readWhileStalled <= SealedFormat.HeaderSize + (2L * StreamSealer.Depth * sealedBlock),
            $"read {readWhileStalled} bytes while nothing could be written");
        Assert.Equal(Length, output.Written);
    }

    /// <summary>Waits until the input position has not moved for half a second (or 20 s passed) and returns it.</summary>
    private static async Task<long> ReadSettlesAsync(Func<long> position, Task operation)
    {
        var last = -1L;
        var stableSince = DateTime.UtcNow;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(operation.IsCompleted, "the operation ended although its output never accepted a byte");
            var now = position();
            if (now != last)
            {
                last = now;
                stableSince = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - stableSince > TimeSpan.FromMilliseconds(500))
            {
                break;
            }

            await Task.Delay(50);
        }

        return last;
    }

    /// <summary>A write-only stream that holds every write until <see cref="Open"/> is called, then counts bytes.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written;

        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public void Open() => _open.TrySetResult();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _open.Task.Wait();
            Interlocked.Add(ref _written, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _open.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _written, buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
