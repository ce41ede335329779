using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensorflow;
using Tensorflow.Serving;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>Sends engine tensors through TF Serving's gRPC Predict (tensor_content / string_val) and reads the outputs back.</summary>
internal static class TfServingGrpcTestClient
{
    public static async Task<(IReadOnlyList<InferenceTensor>? Outputs, string? Error)> PredictAsync(
        PredictionService.PredictionServiceClient client, string model, IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = model } };
        foreach (var tensor in inputs)
        {
            request.Inputs[tensor.Name] = ToProto(tensor);
        }

        request.OutputFilter.Add(outputNames);
        PredictResponse response;
        try
        {
            response = await client.PredictAsync(request);
        }
        catch (RpcException ex)
        {
            return (null, $"{ex.StatusCode}: {ex.Status.Detail}");
        }

        var outputs = new List<InferenceTensor>();
        foreach (var name in outputNames)
        {
            if (!response.Outputs.TryGetValue(name, out var proto))
            {
                return (null, $"the response has no output '{name}'");
            }

            outputs.Add(FromProto(name, proto));
        }

        return (outputs, null);
    }

    private static TensorProto ToProto(InferenceTensor tensor)
    {
        var proto = new TensorProto { Dtype = ToDataType(tensor.ElementType), TensorShape = new TensorShapeProto() };
        foreach (var d in tensor.Shape)
        {
            proto.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim { Size = d });
        }

        if (tensor.Strings is { } strings)
        {
            foreach (var s in strings)
            {
                proto.StringVal.Add(ByteString.CopyFrom(s.Span));
            }
        }
        else
        {
            proto.TensorContent = ByteString.CopyFrom(tensor.Data.Span);
        }

        return proto;
    }

    private static InferenceTensor FromProto(string name, TensorProto proto)
    {
        var type = ToElementType(proto.Dtype);
        var shape = proto.TensorShape.Dim.Select(d => d.Size).ToArray();
        if (type == TensorElementType.String)
        {
            return InferenceTensor.FromStrings(name, shape, proto.StringVal.Select(s => (ReadOnlyMemory<byte>)s.ToByteArray()).ToArray());
        }

        if (!proto.TensorContent.IsEmpty || shape.Aggregate(1L, (a, b) => a * b) == 0)
        {
            return InferenceTensor.FromBytes(name, type, shape, proto.TensorContent.ToByteArray());
        }

        // Typed values: widen back to little-endian bytes.
        var bytes = new List<byte>();
        void Add(Span<byte> b) => bytes.AddRange(b.ToArray());
        Span<byte> buffer = stackalloc byte[8];
        switch (type)
        {
            case TensorElementType.Float:
                foreach (var v in proto.FloatVal) { BinaryPrimitives.WriteSingleLittleEndian(buffer, v); Add(buffer[..4]); }
                break;
            case TensorElementType.Double:
                foreach (var v in proto.DoubleVal) { BinaryPrimitives.WriteDoubleLittleEndian(buffer, v); Add(buffer[..8]); }
                break;
            case TensorElementType.Int64:
                foreach (var v in proto.Int64Val) { BinaryPrimitives.WriteInt64LittleEndian(buffer, v); Add(buffer[..8]); }
                break;
            case TensorElementType.Bool:
                foreach (var v in proto.BoolVal) { bytes.Add(v ? (byte)1 : (byte)0); }
                break;
            default:
                throw new NotSupportedException($"typed values of {type} in the response");
        }

        return InferenceTensor.FromBytes(name, type, shape, bytes.ToArray());
    }

    private static DataType ToDataType(TensorElementType type) => type switch
    {
        TensorElementType.Float => DataType.DtFloat,
        TensorElementType.Double => DataType.DtDouble,
        TensorElementType.Int32 => DataType.DtInt32,
        TensorElementType.UInt8 => DataType.DtUint8,
        TensorElementType.Int16 => DataType.DtInt16,
        TensorElementType.Int8 => DataType.DtInt8,
        TensorElementType.String => DataType.DtString,
        TensorElementType.Int64 => DataType.DtInt64,
        TensorElementType.Bool => DataType.DtBool,
        TensorElementType.BFloat16 => DataType.DtBfloat16,
        TensorElementType.UInt16 => DataType.DtUint16,
        TensorElementType.Float16 => DataType.DtHalf,
        TensorElementType.UInt32 => DataType.DtUint32,
        TensorElementType.UInt64 => DataType.DtUint64,
        _ => throw new NotSupportedException(type.ToString()),
    };

    private static TensorElementType ToElementType(DataType type) => type switch
    {
        DataType.DtFloat => TensorElementType.Float,
        DataType.DtDouble => TensorElementType.Double,
        DataType.DtInt32 => TensorElementType.Int32,
        DataType.DtUint8 => TensorElementType.UInt8,
        DataType.DtInt16 => TensorElementType.Int16,
        DataType.DtInt8 => TensorElementType.Int8,
        DataType.DtString => TensorElementType.String,
        DataType.DtInt64 => TensorElementType.Int64,
        DataType.DtBool => TensorElementType.Bool,
        DataType.DtBfloat16 => TensorElementType.BFloat16,
        DataType.DtUint16 => TensorElementType.UInt16,
        DataType.DtHalf => TensorElementType.Float16,
        DataType.DtUint32 => TensorElementType.UInt32,
        DataType.DtUint64 => TensorElementType.UInt64,
        _ => throw new NotSupportedException(type.ToString()),
    };
}
