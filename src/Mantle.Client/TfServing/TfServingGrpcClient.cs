using Google.Protobuf;
using Grpc.Net.Client;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;
using Tensorflow;
using Tensorflow.Serving;

namespace Mantle.Client.TfServing;

/// <summary>
/// A client of TF Serving's gRPC API (<c>tensorflow.serving.PredictionService</c>): Predict with
/// <c>tensor_content</c> (strings in <c>string_val</c>) and GetModelMetadata.
/// </summary>
public class TfServingGrpcClient : IInferenceClient
{
    private readonly GrpcChannel _channel;
    private readonly PredictionService.PredictionServiceClient _client;

    /// <summary>Creates a client for a server's gRPC address (for example <c>http://127.0.0.1:8500</c>).</summary>
    public TfServingGrpcClient(Uri address, HttpMessageHandler? handler = null)
    {
        _channel = GrpcChannels.Create(address, handler);
        _client = new PredictionService.PredictionServiceClient(_channel);
    }

    /// <inheritdoc />
    public InferenceProtocol Protocol => InferenceProtocol.TfsGrpc;

    /// <inheritdoc />
    public virtual async Task<ModelDescription> GetModelAsync(string model, CancellationToken cancellationToken = default)
    {
        var request = new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = model } };
        request.MetadataField.Add("signature_def");
        var response = await GrpcChannels.CallAsync(() => _client.GetModelMetadataAsync(request, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        if (!response.Metadata.TryGetValue("signature_def", out var any))
        {
            throw new InferenceClientException("OK", $"GetModelMetadata for '{model}' returned no signature_def");
        }

        var map = any.Unpack<SignatureDefMap>();
        if (!map.SignatureDef.TryGetValue("serving_default", out var signature))
        {
            throw new InferenceClientException("OK", $"model '{model}' has no serving_default signature");
        }

        return new ModelDescription(
            model,
            response.ModelSpec?.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            signature.Inputs.Select(p => Describe(p.Key, p.Value)).ToList(),
            signature.Outputs.Select(p => Describe(p.Key, p.Value)).ToList());
    }

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<ClientTensor>> InferAsync(string model, IReadOnlyList<ClientTensor> inputs, CancellationToken cancellationToken = default)
    {
        var request = BuildRequest(model, inputs);
        var response = await GrpcChannels.CallAsync(() => _client.PredictAsync(request, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        return response.Outputs.Select(p => FromProto(p.Key, p.Value)).ToList();
    }

    /// <inheritdoc />
    public virtual Func<CancellationToken, Task> Prepare(string model, IReadOnlyList<ClientTensor> inputs)
    {
        // Encoded once: a load client must not add a protobuf encoding and decoding per call to what it measures.
        return GrpcChannels.PrepareUnary(_channel, PredictionService.Descriptor.FullName, "Predict", BuildRequest(model, inputs));
    }

    /// <summary>Disposes the channel.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the channel.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _channel.Dispose();
        }
    }

    private static PredictRequest BuildRequest(string model, IReadOnlyList<ClientTensor> inputs)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = model } };
        foreach (var input in inputs)
        {
            request.Inputs[input.Name] = ToProto(input);
        }

        return request;
    }

    private static TensorProto ToProto(ClientTensor tensor)
    {
        var proto = new TensorProto { Dtype = ToTf(tensor.DataType), TensorShape = new TensorShapeProto() };
        foreach (var dim in tensor.Shape)
        {
            proto.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim { Size = dim });
        }

        if (tensor.DataType == TensorDataType.String)
        {
            proto.StringVal.AddRange(tensor.Strings!.Select(ByteString.CopyFrom));
        }
        else
        {
            proto.TensorContent = UnsafeByteOperations.UnsafeWrap(tensor.Data);
        }

        return proto;
    }

    private static ClientTensor FromProto(string name, TensorProto proto)
    {
        var type = FromTf(proto.Dtype) ?? throw new InferenceClientException("OK", $"output '{name}' has dtype {proto.Dtype}, which the client does not read");
        var shape = proto.TensorShape?.Dim.Select(d => d.Size).ToArray() ?? [];
        if (type == TensorDataType.String)
        {
            return new ClientTensor(name, shape, proto.StringVal.Select(s => s.ToByteArray()).ToArray());
        }

        if (!proto.TensorContent.IsEmpty || ClientTensor.ElementCountOf(shape) == 0)
        {
            return new ClientTensor(name, type, shape, proto.TensorContent.ToByteArray());
        }

        var data = new byte[ClientTensor.ElementCountOf(shape) * TensorDataTypes.SizeOf(type)];
        var values = TypedValues(proto, type);
        for (var i = 0; i < data.Length / TensorDataTypes.SizeOf(type); i++)
        {
            TensorElements.Write(type, data, i, values.Count == 1 ? values[0] : values[i]);
        }

        return new ClientTensor(name, type, shape, data);
    }

    private static IReadOnlyList<double> TypedValues(TensorProto proto, TensorDataType type) => type switch
    {
        TensorDataType.Float32 => proto.FloatVal.Select(v => (double)v).ToList(),
        TensorDataType.Float64 => proto.DoubleVal,
        TensorDataType.Int64 => proto.Int64Val.Select(v => (double)v).ToList(),
        TensorDataType.UInt64 => proto.Uint64Val.Select(v => (double)v).ToList(),
        TensorDataType.UInt32 => proto.Uint32Val.Select(v => (double)v).ToList(),
        TensorDataType.Bool => proto.BoolVal.Select(v => v ? 1.0 : 0.0).ToList(),
        TensorDataType.Float16 => proto.HalfVal.Select(v => (double)BitConverter.UInt16BitsToHalf((ushort)v)).ToList(),
        TensorDataType.BFloat16 => proto.HalfVal.Select(v => (double)BitConverter.UInt32BitsToSingle((uint)v << 16)).ToList(),
        _ => proto.IntVal.Select(v => (double)v).ToList(),
    };

    private static TensorDescription Describe(string alias, TensorInfo info)
    {
        var type = FromTf(info.Dtype) ?? throw new InferenceClientException("OK", $"tensor '{alias}' has dtype {info.Dtype}, which the client does not read");
        var shape = info.TensorShape?.Dim.Select(d => d.Size).ToArray() ?? [];
        return new TensorDescription(alias, type, shape);
    }

    private static DataType ToTf(TensorDataType type) => type switch
    {
        TensorDataType.Bool => DataType.DtBool,
        TensorDataType.UInt8 => DataType.DtUint8,
        TensorDataType.UInt16 => DataType.DtUint16,
        TensorDataType.UInt32 => DataType.DtUint32,
        TensorDataType.UInt64 => DataType.DtUint64,
        TensorDataType.Int8 => DataType.DtInt8,
        TensorDataType.Int16 => DataType.DtInt16,
        TensorDataType.Int32 => DataType.DtInt32,
        TensorDataType.Int64 => DataType.DtInt64,
        TensorDataType.Float16 => DataType.DtHalf,
        TensorDataType.BFloat16 => DataType.DtBfloat16,
        TensorDataType.Float32 => DataType.DtFloat,
        TensorDataType.Float64 => DataType.DtDouble,
        _ => DataType.DtString,
    };

    private static TensorDataType? FromTf(DataType type) => type switch
    {
        DataType.DtBool => TensorDataType.Bool,
        DataType.DtUint8 => TensorDataType.UInt8,
        DataType.DtUint16 => TensorDataType.UInt16,
        DataType.DtUint32 => TensorDataType.UInt32,
        DataType.DtUint64 => TensorDataType.UInt64,
        DataType.DtInt8 => TensorDataType.Int8,
        DataType.DtInt16 => TensorDataType.Int16,
        DataType.DtInt32 => TensorDataType.Int32,
        DataType.DtInt64 => TensorDataType.Int64,
        DataType.DtHalf => TensorDataType.Float16,
        DataType.DtBfloat16 => TensorDataType.BFloat16,
        DataType.DtFloat => TensorDataType.Float32,
        DataType.DtDouble => TensorDataType.Float64,
        DataType.DtString => TensorDataType.String,
        _ => null,
    };
}
