using System.Buffers.Binary;
using System.Globalization;

namespace Mantle.Client.Tensors;

/// <summary>Reads and writes single elements of a tensor's little-endian bytes as numbers.</summary>
public static class TensorElements
{
    /// <summary>Reads element <paramref name="index"/> as a double (integers and bools converted).</summary>
    public static double ReadDouble(TensorDataType type, ReadOnlySpan<byte> data, long index)
    {
        var size = TensorDataTypes.SizeOf(type);
        var slot = data.Slice(checked((int)(index * size)), size);
        return type switch
        {
            TensorDataType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(slot),
            TensorDataType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(slot),
            TensorDataType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(slot),
            TensorDataType.BFloat16 => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(slot) << 16),
            _ => ReadInt64(type, data, index),
        };
    }

    /// <summary>Reads element <paramref name="index"/> of an integer or bool tensor (UInt64 above long.MaxValue wraps; use <see cref="Format"/> for text).</summary>
    public static long ReadInt64(TensorDataType type, ReadOnlySpan<byte> data, long index)
    {
        var size = TensorDataTypes.SizeOf(type);
        var slot = data.Slice(checked((int)(index * size)), size);
        return type switch
        {
            TensorDataType.Bool => slot[0] != 0 ? 1 : 0,
            TensorDataType.UInt8 => slot[0],
            TensorDataType.Int8 => (sbyte)slot[0],
            TensorDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(slot),
            TensorDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(slot),
            TensorDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(slot),
            TensorDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(slot),
            TensorDataType.UInt64 => (long)BinaryPrimitives.ReadUInt64LittleEndian(slot),
            TensorDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(slot),
            _ => (long)ReadDouble(type, data, index),
        };
    }

    /// <summary>Formats element <paramref name="index"/> as invariant text (<c>true</c>/<c>false</c> for bools, round-trip floats, <c>NaN</c>, <c>Infinity</c>).</summary>
    public static string Format(TensorDataType type, ReadOnlySpan<byte> data, long index)
    {
        var size = TensorDataTypes.SizeOf(type);
        var slot = data.Slice(checked((int)(index * size)), size);
        return type switch
        {
            TensorDataType.Bool => slot[0] != 0 ? "true" : "false",
            TensorDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(slot).ToString(CultureInfo.InvariantCulture),
            TensorDataType.Float32 => FormatFloat(BinaryPrimitives.ReadSingleLittleEndian(slot)),
            TensorDataType.Float64 or TensorDataType.Float16 or TensorDataType.BFloat16 => FormatFloat(ReadDouble(type, data, index)),
            _ => ReadInt64(type, data, index).ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Writes a number into element <paramref name="index"/>, converting to the element type.</summary>
    /// <exception cref="OverflowException">The value does not fit an integer element type.</exception>
    public static void Write(TensorDataType type, Span<byte> data, long index, double value)
    {
        var size = TensorDataTypes.SizeOf(type);
        var slot = data.Slice(checked((int)(index * size)), size);
        switch (type)
        {
            case TensorDataType.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(slot, (float)value);
                break;
            case TensorDataType.Float64:
                BinaryPrimitives.WriteDoubleLittleEndian(slot, value);
                break;
            case TensorDataType.Float16:
                BinaryPrimitives.WriteHalfLittleEndian(slot, (Half)value);
                break;
            case TensorDataType.BFloat16:
                BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)(BitConverter.SingleToUInt32Bits((float)value) >> 16));
                break;
            case TensorDataType.Bool:
                slot[0] = value != 0 ? (byte)1 : (byte)0;
                break;
            case TensorDataType.UInt64:
                BinaryPrimitives.WriteUInt64LittleEndian(slot, checked((ulong)value));
                break;
            default:
                WriteInt64(type, slot, checked((long)value));
                break;
        }
    }

    private static void WriteInt64(TensorDataType type, Span<byte> slot, long value)
    {
        switch (type)
        {
            case TensorDataType.UInt8:
                slot[0] = checked((byte)value);
                break;
            case TensorDataType.Int8:
                slot[0] = unchecked((byte)checked((sbyte)value));
                break;
            case TensorDataType.UInt16:
                BinaryPrimitives.WriteUInt16LittleEndian(slot, checked((ushort)value));
                break;
            case TensorDataType.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(slot, checked((short)value));
                break;
            case TensorDataType.UInt32:
                BinaryPrimitives.WriteUInt32LittleEndian(slot, checked((uint)value));
                break;
            case TensorDataType.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(slot, checked((int)value));
                break;
            case TensorDataType.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(slot, value);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Not an integer type.");
        }
    }

    private static string FormatFloat(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "Infinity"
        : double.IsNegativeInfinity(value) ? "-Infinity"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
