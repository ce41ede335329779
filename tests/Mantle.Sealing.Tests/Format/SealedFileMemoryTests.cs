using Mantle.Sealing.Format;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Tests.Format;

/// <summary>
/// Runs its tests while no other test runs: they read the process-wide allocation counter, which allocations of
/// tests running in parallel would inflate.
/// </summary>
[CollectionDefinition(nameof(AllocationMeasurement), DisableParallelization = true)]
public sealed class AllocationMeasurement;

/// <summary>Sealing and unsealing stream with bounded memory, whatever the length.</summary>
[Collection(nameof(AllocationMeasurement))]
public class SealedFileMemoryTests
{
    private const long Length = 512L * 1024 * 1024;
    private const long AllocationBound = 16L * 1024 * 1024;

    [Fact]
    public async Task Seal_512MiBStream_AllocatesUnder16MiB()
    {
        using var key = ModelKey.Generate();
        var counting = new CountingStream();
        await SealedFile.SealAsync(new GeneratedStream(1 << 20), Stream.Null, key, "warmup");

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await SealedFile.SealAsync(new GeneratedStream(Length), counting, key, "model.onnx");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(SealedFormat.GetSealedLength(Length, SealedFormat.DefaultChunkSize), counting.Written);
        Assert.True(allocated < AllocationBound, $"sealing 512 MiB allocated {allocated / (1024 * 1024)} MiB");
    }

    [Fact]
    public async Task Unseal_512MiBFile_AllocatesUnder16MiB()
    {
        using var key = ModelKey.Generate();
        using var folder = new TempFolder();
        var path = folder.Combine("model.onnx.sealed");
        await using (var file = File.Create(path))
        {
            await SealedFile.SealAsync(new GeneratedStream(Length), file, key, "model.onnx");
        }

        var counting = new CountingStream();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await using (var sealedInput = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            await SealedFile.UnsealAsync(sealedInput, counting, key, "model.onnx");
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(Length, counting.Written);
        Assert.True(allocated < AllocationBound, $"unsealing 512 MiB allocated {allocated / (1024 * 1024)} MiB");
    }

    private sealed class CountingStream : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written;

        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Written += count;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
