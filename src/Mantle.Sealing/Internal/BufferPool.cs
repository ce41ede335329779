using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace Mantle.Sealing.Internal;

/// <summary>
/// A fixed set of equal buffers handed from stage to stage of a sealing or unsealing pipeline: a stage takes a free
/// buffer (waiting while every buffer is in use, which bounds memory whatever the file size) and the last stage that
/// uses it gives it back. Every buffer is rented once, cleared when given back and again, with the pool, at the end.
/// </summary>
internal sealed class BufferPool : IDisposable
{
    private readonly byte[][] _buffers;
    private readonly Channel<byte[]> _free;
    private readonly int _size;

    public BufferPool(int count, int size)
    {
        _size = size;
        _buffers = new byte[count][];
        _free = Channel.CreateBounded<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            _buffers[i] = ArrayPool<byte>.Shared.Rent(size);
            _free.Writer.TryWrite(_buffers[i]);
        }
    }

    public ValueTask<byte[]> TakeAsync(CancellationToken cancellationToken) => _free.Reader.ReadAsync(cancellationToken);

    /// <summary>Gives a buffer back; <paramref name="used"/> bytes of it are cleared first (they may hold plaintext).</summary>
    public void Return(byte[] buffer, int used)
    {
        CryptographicOperations.ZeroMemory(buffer.AsSpan(0, used));
        _free.Writer.TryWrite(buffer);
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, _size));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
