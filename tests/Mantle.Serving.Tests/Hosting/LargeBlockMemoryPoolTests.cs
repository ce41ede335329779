using System.Runtime.InteropServices;
using Mantle.Serving.Hosting.Internal;

namespace Mantle.Serving.Tests.Hosting;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Rent_SmallRequest_ReturnsAWholeBlock()
    {
        using var pool = new LargeBlockMemoryPool();
        using var block = pool.Rent(2048);

        Assert.Equal(LargeBlockMemoryPool.BlockSize, pool.MaxBufferSize);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, block.Memory.Length);
    }

    [Fact]
    public void Rent_AfterDispose_ReusesTheBlock()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent();
        var array = Array(first.Memory);
        first.Dispose();
        first.Dispose();

        using var second = pool.Rent();
        using var third = pool.Rent();

        Assert.Same(array, Array(second.Memory));
        Assert.NotSame(array, Array(third.Memory));
        Assert.Throws<ObjectDisposedException>(() => first.Memory);
    }

    [Fact]
    public void Rent_MoreThanABlock_IsRefused()
    {
        using var pool = new LargeBlockMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
    }

    private static byte[] Array(Memory<byte> memory) =>
        MemoryMarshal.TryGetArray<byte>(memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");
}
