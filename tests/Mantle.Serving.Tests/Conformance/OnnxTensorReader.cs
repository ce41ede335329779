using System.Buffers.Binary;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>Turns ONNX's serialized <c>TensorProto</c> test data into engine tensors, using the project's own onnx.proto.</summary>
internal static class OnnxTensorReader
{
    public static InferenceTensor Read(string path, string name)
    {
        var proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(path));
        return ToTensor(proto, name);
    }

    public static InferenceTensor ToTensor(TensorProto proto, string name)
    {
        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new NotSupportedException($"tensor '{name}' stores its data externally");
        }

        var shape = proto.Dims.ToArray();
        var type = (TensorElementType)proto.DataType;
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        if (type == TensorElementType.String)
        {
            return InferenceTensor.FromStrings(name, shape, proto.StringData.Select(s => (ReadOnlyMemory<byte>)s.ToByteArray()).ToArray());
        }

        var size = OnnxTypes.ElementSize(proto.DataType);
        if (!proto.RawData.IsEmpty)
        {
            return InferenceTensor.FromBytes(name, type, shape, proto.RawData.ToByteArray());
        }

        var bytes = new byte[count * size];
        var span = bytes.AsSpan();
        for (var i = 0; i < count; i++)
        {
            var target = span.Slice(i * size, size);
            switch ((TensorProto.Types.DataType)proto.DataType)
            {
                case TensorProto.Types.DataType.Float:
                    BinaryPrimitives.WriteSingleLittleEndian(target, proto.FloatData[i]);
                    break;
                case TensorProto.Types.DataType.Double:
                    BinaryPrimitives.WriteDoubleLittleEndian(target, proto.DoubleData[i]);
                    break;
                case TensorProto.Types.DataType.Int64:
                    BinaryPrimitives.WriteInt64LittleEndian(target, proto.Int64Data[i]);
                    break;
                case TensorProto.Types.DataType.Uint32:
                    BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)proto.Uint64Data[i]);
                    break;
                case TensorProto.Types.DataType.Uint64:
                    BinaryPrimitives.WriteUInt64LittleEndian(target, proto.Uint64Data[i]);
                    break;
                case TensorProto.Types.DataType.Int32:
                    BinaryPrimitives.WriteInt32LittleEndian(target, proto.Int32Data[i]);
                    break;
                case TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16
                    or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16:
                    BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)proto.Int32Data[i]);
                    break;
                case TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool:
                    target[0] = (byte)proto.Int32Data[i];
                    break;
                default:
                    throw new NotSupportedException($"tensor '{name}' has data type {OnnxTypes.Name(proto.DataType)}");
            }
        }

        return InferenceTensor.FromBytes(name, type, shape, bytes);
    }
}
