using System.Buffers;
using System.Security.Cryptography;

namespace Mantle.Sealing.Internal;

/// <summary>A growable byte buffer that clears every buffer it drops, for serializing secrets.</summary>
internal sealed class ArrayBufferWriterCleared : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[256];
    private int _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Clear()
    {
        CryptographicOperations.ZeroMemory(_buffer);
        _written = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = new byte[Math.Max(needed, _buffer.Length * 2)];
        _buffer.AsSpan(0, _written).CopyTo(larger);
        CryptographicOperations.ZeroMemory(_buffer);
        _buffer = larger;
    }
}
