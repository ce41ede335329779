using System.Buffers.Binary;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>A bounds-checked little-endian cursor over quote bytes; running past the end is a malformed quote.</summary>
internal ref struct QuoteReader
{
    private readonly ReadOnlySpan<byte> _data;

    public QuoteReader(ReadOnlySpan<byte> data, int offset)
    {
        _data = data;
        Offset = offset;
    }

    public int Offset { get; private set; }

    public int Remaining => _data.Length - Offset;

    public int Take(int length, string what)
    {
        if (length < 0 || length > Remaining)
        {
            throw IntelErrors.Malformed($"{what} needs {length} bytes at offset {Offset} but only {Math.Max(Remaining, 0)} remain");
        }

        var start = Offset;
        Offset += length;
        return start;
    }

    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(Take(2, what), 2));

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(Take(4, what), 4));

    /// <summary>Reads a 32-bit length and checks that it fits in what is left, before any cast to int.</summary>
    public int ReadLength32(string what)
    {
        var length = ReadUInt32(what);
        if (length > (uint)Remaining)
        {
            throw IntelErrors.Malformed($"{what} declares {length} bytes but only {Remaining} remain");
        }

        return (int)length;
    }
}
