using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf.Collections;
using Inference;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.KServe.Internal;

/// <summary>Converts the typed <c>InferTensorContents</c> form of a gRPC input into tensor bytes.</summary>
internal static class KServeGrpcContents
{
    public static InferenceTensor ToTensor(string input, TensorElementType type, long[] shape, InferTensorContents? contents)
    {
        var count = KServeTensorCodec.ElementCount(input, shape);
        contents ??= new InferTensorContents();
        switch (type)
        {
            case TensorElementType.String:
                Check(input, "bytes_contents", contents.BytesContents.Count, count);
                var strings = new ReadOnlyMemory<byte>[count];
                for (var i = 0; i < strings.Length; i++)
                {
                    strings[i] = contents.BytesContents[i].Memory;
                }

                return InferenceTensor.FromStrings(input, shape, strings);
            case TensorElementType.Bool:
                Check(input, "bool_contents", contents.BoolContents.Count, count);
                var bools = new byte[count];
                for (var i = 0; i < bools.Length; i++)
                {
                    bools[i] = contents.BoolContents[i] ? (byte)1 : (byte)0;
                }

                return InferenceTensor.FromBytes(input, type, shape, bools);
            case TensorElementType.Float:
                Check(input, "fp32_contents", contents.Fp32Contents.Count, count);
                return InferenceTensor.FromBytes(input, type, shape, LittleEndian(contents.Fp32Contents));
            case TensorElementType.Double:
                Check(input, "fp64_contents", contents.Fp64Contents.Count, count);
                return InferenceTensor.FromBytes(input, type, shape, LittleEndian(contents.Fp64Contents));
            case TensorElementType.Int64:
                Check(input, "int64_contents", contents.Int64Contents.Count, count);
                return InferenceTensor.FromBytes(input, type, shape, LittleEndian(contents.Int64Contents));
            case TensorElementType.UInt64:
                Check(input, "uint64_contents", contents.Uint64Contents.Count, count);
                return InferenceTensor.FromBytes(input, type, shape, LittleEndian(contents.Uint64Contents));
            case TensorElementType.Int32 or TensorElementType.Int16 or TensorElementType.Int8:
                Check(input, "int_contents", contents.IntContents.Count, count);
                return InferenceTensor.FromBytes(input, type, shape, Narrow(input, type, contents.IntContents, v => v));
            case TensorElementType.UInt32 or TensorElementType.UInt16 or TensorElementType.UInt8:
                Check(input, "uint_contents", contents.UintContents.Count, count);
                return InferenceTensor.FromBytes(input, type, shape, Narrow(input, type, contents.UintContents, v => v));
            default:
                throw new KServeRequestException(
                    $"input '{input}': datatype {KServeDataTypes.ToName(type)} has no typed contents field; send it in raw_input_contents");
        }
    }

    private static void Check(string input, string field, int actual, long expected)
    {
        if (actual != expected)
        {
            throw new KServeRequestException(
                $"input '{input}': \"shape\" has {expected} elements but contents.{field} has {actual}; the shape's product must equal the number of elements");
        }
    }

    private static byte[] LittleEndian<T>(RepeatedField<T> values)
        where T : unmanaged
    {
        var bytes = new byte[values.Count * Marshal.SizeOf<T>()];
        var target = MemoryMarshal.Cast<byte, T>(bytes.AsSpan());
        for (var i = 0; i < values.Count; i++)
        {
            target[i] = values[i];
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Mantle serves on little-endian machines only.");
        }

        return bytes;
    }

    private static byte[] Narrow<T>(string input, TensorElementType type, RepeatedField<T> values, Func<T, long> widen)
    {
        var size = KServeDataTypes.ElementSize(type);
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            var v = widen(values[i]);
            var target = bytes.AsSpan(i * size, size);
            var ok = type switch
            {
                TensorElementType.Int8 => v is >= sbyte.MinValue and <= sbyte.MaxValue,
                TensorElementType.Int16 => v is >= short.MinValue and <= short.MaxValue,
                TensorElementType.UInt8 => v is >= 0 and <= byte.MaxValue,
                TensorElementType.UInt16 => v is >= 0 and <= ushort.MaxValue,
                _ => true,
            };
            if (!ok)
            {
                throw new KServeRequestException($"input '{input}': element {i} is out of the range of datatype {KServeDataTypes.ToName(type)}");
            }

            switch (size)
            {
                case 1:
                    target[0] = (byte)v;
                    break;
                case 2:
                    BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)v);
                    break;
                default:
                    BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)v);
                    break;
            }
        }

        return bytes;
    }
}
