using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensorflow;

namespace Mantle.Serving.TfServing.Internal;

/// <summary>
/// Converts TensorProto to and from engine tensors. Raw <c>tensor_content</c> is viewed in place;
/// typed values (float_val, int_val, …) are packed into a new buffer, one value filling the whole
/// shape as TensorFlow does.
/// </summary>
internal static class TensorProtoCodec
{
    public static InferenceTensor? Decode(string name, TensorProto proto, out ServingError? error)
    {
        error = null;
        if (!TfDataTypes.TryFromTf(proto.Dtype, out var type))
        {
            error = Invalid($"input '{name}' has dtype {TfDataTypes.Name(proto.Dtype)}, which the model server cannot carry; use one of DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16, DT_INT8/16/32/64, DT_UINT8/16/32/64, DT_BOOL, DT_STRING, DT_COMPLEX64, DT_COMPLEX128");
            return null;
        }

        var shape = DecodeShape(name, proto.TensorShape, out var count, out error);
        if (shape is null)
        {
            return null;
        }

        if (type == TensorElementType.String)
        {
            return DecodeStrings(name, proto, shape, count, out error);
        }

        var size = TfDataTypes.ElementSize(type);
        if (!proto.TensorContent.IsEmpty)
        {
            var expected = count * size;
            if (proto.TensorContent.Length != expected)
            {
                error = Invalid($"input '{name}': tensor_content has {proto.TensorContent.Length} bytes but shape {ShapeText(shape)} of {TfDataTypes.Name(proto.Dtype)} needs {expected} bytes ({count} elements of {size} bytes)");
                return null;
            }

            return InferenceTensor.FromBytes(name, type, shape, proto.TensorContent.Memory);
        }

        var data = DecodeTyped(name, proto, type, count, size, out error);
        return data is null ? null : InferenceTensor.FromBytes(name, type, shape, data);
    }

    public static TensorProto Encode(InferenceTensor tensor)
    {
        if (!TfDataTypes.TryToTf(tensor.ElementType, out var dtype))
        {
            throw new InvalidOperationException($"Output '{tensor.Name}' has element type {tensor.ElementType}, which has no TensorFlow dtype.");
        }

        var proto = new TensorProto { Dtype = dtype, TensorShape = EncodeShape(tensor.Shape) };
        if (tensor.ElementType == TensorElementType.String)
        {
            foreach (var value in tensor.Strings!)
            {
                proto.StringVal.Add(ByteString.CopyFrom(value.Span));
            }
        }
        else
        {
            proto.TensorContent = ByteString.CopyFrom(tensor.Data.Span);
        }

        return proto;
    }

    public static TensorShapeProto EncodeShape(IReadOnlyList<long> shape)
    {
        var proto = new TensorShapeProto();
        foreach (var dim in shape)
        {
            proto.Dim.Add(new TensorShapeProto.Types.Dim { Size = dim });
        }

        return proto;
    }

    public static string ShapeText(IReadOnlyList<long> shape) => "[" + string.Join(",", shape) + "]";

    private static long[]? DecodeShape(string name, TensorShapeProto? proto, out long count, out ServingError? error)
    {
        error = null;
        count = 1;
        if (proto is null)
        {
            return [];
        }

        if (proto.UnknownRank)
        {
            error = Invalid($"input '{name}' has unknown_rank set; a request tensor needs concrete dimensions");
            return null;
        }

        var shape = new long[proto.Dim.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            var size = proto.Dim[i].Size;
            if (size < 0)
            {
                error = Invalid($"input '{name}' has dimension {i} of size {size}; a request tensor needs sizes of 0 or more");
                return null;
            }

            shape[i] = size;
            try
            {
                count = checked(count * size);
            }
            catch (OverflowException)
            {
                error = Invalid($"input '{name}' has shape {ShapeText(shape)}, too many elements");
                return null;
            }
        }

        if (count > int.MaxValue)
        {
            error = Invalid($"input '{name}' has {count} elements; at most {int.MaxValue} are accepted");
            return null;
        }

        return shape;
    }

    private static InferenceTensor? DecodeStrings(string name, TensorProto proto, long[] shape, long count, out ServingError? error)
    {
        error = null;
        if (!proto.TensorContent.IsEmpty)
        {
            error = Invalid($"input '{name}' is DT_STRING but uses tensor_content; string tensors carry their values in string_val");
            return null;
        }

        var values = proto.StringVal;
        if (!CountFits(name, values.Count, count, "string_val", proto.Dtype, shape, out error))
        {
            return null;
        }

        var strings = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = values[values.Count == 1 ? 0 : i].Memory;
        }

        return InferenceTensor.FromStrings(name, shape, strings);
    }

    private static byte[]? DecodeTyped(string name, TensorProto proto, TensorElementType type, long count, int size, out ServingError? error)
    {
        var n = (int)count;
        var data = new byte[n * size];
        switch (type)
        {
            case TensorElementType.Float:
                return Fill(name, proto, proto.FloatVal, "float_val", n, out error, (i, v) => BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), v)) ? data : null;
            case TensorElementType.Double:
                return Fill(name, proto, proto.DoubleVal, "double_val", n, out error, (i, v) => BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), v)) ? data : null;
            case TensorElementType.Int64:
                return Fill(name, proto, proto.Int64Val, "int64_val", n, out error, (i, v) => BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * 8), v)) ? data : null;
            case TensorElementType.UInt32:
                return Fill(name, proto, proto.Uint32Val, "uint32_val", n, out error, (i, v) => BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(i * 4), v)) ? data : null;
            case TensorElementType.UInt64:
                return Fill(name, proto, proto.Uint64Val, "uint64_val", n, out error, (i, v) => BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i * 8), v)) ? data : null;
            case TensorElementType.Bool:
                return Fill(name, proto, proto.BoolVal, "bool_val", n, out error, (i, v) => data[i] = v ? (byte)1 : (byte)0) ? data : null;
            case TensorElementType.Float16:
            case TensorElementType.BFloat16:
                return DecodeIntVal(name, proto, proto.HalfVal, "half_val", 0, ushort.MaxValue, n, 2, data, out error) ? data : null;
            case TensorElementType.Int32:
                return DecodeIntVal(name, proto, proto.IntVal, "int_val", int.MinValue, int.MaxValue, n, 4, data, out error) ? data : null;
            case TensorElementType.Int16:
                return DecodeIntVal(name, proto, proto.IntVal, "int_val", short.MinValue, short.MaxValue, n, 2, data, out error) ? data : null;
            case TensorElementType.UInt16:
                return DecodeIntVal(name, proto, proto.IntVal, "int_val", 0, ushort.MaxValue, n, 2, data, out error) ? data : null;
            case TensorElementType.Int8:
                return DecodeIntVal(name, proto, proto.IntVal, "int_val", sbyte.MinValue, sbyte.MaxValue, n, 1, data, out error) ? data : null;
            case TensorElementType.UInt8:
                return DecodeIntVal(name, proto, proto.IntVal, "int_val", 0, byte.MaxValue, n, 1, data, out error) ? data : null;
            case TensorElementType.Complex64:
                return DecodePairs(name, proto, proto.ScomplexVal, "scomplex_val", n, out error, (i, v) => BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), v)) ? data : null;
            case TensorElementType.Complex128:
                return DecodePairs(name, proto, proto.DcomplexVal, "dcomplex_val", n, out error, (i, v) => BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), v)) ? data : null;
            default:
                error = Invalid($"input '{name}' has dtype {TfDataTypes.Name(proto.Dtype)}, which cannot be decoded from typed values");
                return null;
        }
    }

    private static bool Fill<T>(string name, TensorProto proto, RepeatedField<T> values, string field, int n, out ServingError? error, Action<int, T> write)
    {
        if (!CountFits(name, values.Count, n, field, proto.Dtype, null, out error))
        {
            return false;
        }

        for (var i = 0; i < n; i++)
        {
            write(i, values[values.Count == 1 ? 0 : i]);
        }

        return true;
    }

    private static bool DecodePairs<T>(string name, TensorProto proto, RepeatedField<T> values, string field, int n, out ServingError? error, Action<int, T> write)
    {
        error = null;
        if (values.Count % 2 != 0)
        {
            error = Invalid($"input '{name}': {field} has {values.Count} values; complex values come as (real, imaginary) pairs");
            return false;
        }

        if (!CountFits(name, values.Count / 2, n, field, proto.Dtype, null, out error))
        {
            return false;
        }

        var broadcast = values.Count == 2;
        for (var i = 0; i < 2 * n; i++)
        {
            write(i, values[broadcast ? i % 2 : i]);
        }

        return true;
    }

    private static bool DecodeIntVal(string name, TensorProto proto, RepeatedField<int> values, string field, long min, long max, int n, int size, byte[] data, out ServingError? error)
    {
        if (!CountFits(name, values.Count, n, field, proto.Dtype, null, out error))
        {
            return false;
        }

        for (var i = 0; i < n; i++)
        {
            var v = values[values.Count == 1 ? 0 : i];
            if (field == "half_val")
            {
                v &= 0xFFFF;
            }
            else if (v < min || v > max)
            {
                error = Invalid($"input '{name}': {field} value {v} at index {i} is out of range for {TfDataTypes.Name(proto.Dtype)} ({min} to {max})");
                return false;
            }

            var dest = data.AsSpan(i * size, size);
            switch (size)
            {
                case 1: dest[0] = (byte)v; break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(dest, (ushort)v); break;
                default: BinaryPrimitives.WriteInt32LittleEndian(dest, v); break;
            }
        }

        return true;
    }

    private static bool CountFits(string name, int actual, long expected, string field, DataType dtype, long[]? shape, out ServingError? error)
    {
        error = null;
        if (actual == expected || (actual == 1 && expected > 0))
        {
            return true;
        }

        var shapeText = shape is null ? string.Empty : $" of shape {ShapeText(shape)}";
        error = Invalid($"input '{name}' ({TfDataTypes.Name(dtype)}{shapeText}) needs {expected} values (or one value to fill the shape) but {field} has {actual}; {TfDataTypes.Name(dtype)} values go in {field} or tensor_content");
        return false;
    }

    private static ServingError Invalid(string message) => new(ServingErrorCode.InvalidArgument, message);
}
