using Google.Protobuf;
using Grpc.Net.Client;
using Inference;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;

namespace Mantle.Client.KServe;

/// <summary>
/// A client of the KServe v2 gRPC API (<c>inference.GRPCInferenceService</c>): ModelInfer with
/// <c>raw_input_contents</c>, and ModelMetadata.
/// </summary>
public class KServeGrpcClient : IInferenceClient
{
    private readonly GrpcChannel _channel;
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client;

    /// <summary>Creates a client for a server's gRPC address (for example <c>http://127.0.0.1:8500</c>).</summary>
    public KServeGrpcClient(Uri address, HttpMessageHandler? handler = null)
    {
        _channel = GrpcChannels.Create(address, handler);
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    /// <inheritdoc />
    public InferenceProtocol Protocol => InferenceProtocol.KServeGrpc;

    /// <inheritdoc />
    public virtual async Task<ModelDescription> GetModelAsync(string model, CancellationToken cancellationToken = default)
    {
        var response = await GrpcChannels.CallAsync(() => _client.ModelMetadataAsync(new ModelMetadataRequest { Name = model }, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        return new ModelDescription(
            response.Name,
            response.Versions.Count > 0 ? response.Versions[^1] : null,
            response.Inputs.Select(Describe).ToList(),
            response.Outputs.Select(Describe).ToList());
    }

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<ClientTensor>> InferAsync(string model, IReadOnlyList<ClientTensor> inputs, CancellationToken cancellationToken = default)
    {
        var request = BuildRequest(model, inputs);
        var response = await GrpcChannels.CallAsync(() => _client.ModelInferAsync(request, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
        var outputs = new List<ClientTensor>();
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var output = response.Outputs[i];
            if (!TensorDataTypes.TryParse(output.Datatype, out var type))
            {
                throw new InferenceClientException("OK", $"output '{output.Name}' has an unknown datatype '{output.Datatype}'");
            }

            var shape = output.Shape.ToArray();
            outputs.Add(i < response.RawOutputContents.Count
                ? KServeBinary.Read(output.Name, type.Value, shape, response.RawOutputContents[i].Span)
                : FromContents(output.Name, type.Value, shape, output.Contents));
        }

        return outputs;
    }

    /// <inheritdoc />
    public virtual Func<CancellationToken, Task> Prepare(string model, IReadOnlyList<ClientTensor> inputs)
    {
        // Encoded once: a load client must not add a protobuf encoding and decoding per call to what it measures.
        return GrpcChannels.PrepareUnary(_channel, GRPCInferenceService.Descriptor.FullName, "ModelInfer", BuildRequest(model, inputs));
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

    private static ModelInferRequest BuildRequest(string model, IReadOnlyList<ClientTensor> inputs)
    {
        var request = new ModelInferRequest { ModelName = model };
        foreach (var input in inputs)
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = TensorDataTypes.ToKServeName(input.DataType) };
            tensor.Shape.AddRange(input.Shape);
            request.Inputs.Add(tensor);
            request.RawInputContents.Add(input.DataType == TensorDataType.String ? EncodeStrings(input) : UnsafeByteOperations.UnsafeWrap(input.Data));
        }

        return request;
    }

    private static ByteString EncodeStrings(ClientTensor tensor)
    {
        var buffer = new byte[KServeBinary.Size(tensor)];
        KServeBinary.Write(tensor, buffer);
        return UnsafeByteOperations.UnsafeWrap(buffer);
    }

    private static ClientTensor FromContents(string name, TensorDataType type, long[] shape, InferTensorContents? contents)
    {
        contents ??= new InferTensorContents();
        if (type == TensorDataType.String)
        {
            return new ClientTensor(name, shape, contents.BytesContents.Select(b => b.ToByteArray()).ToArray());
        }

        IReadOnlyList<double> values = type switch
        {
            TensorDataType.Float32 => contents.Fp32Contents.Select(v => (double)v).ToList(),
            TensorDataType.Float64 => contents.Fp64Contents,
            TensorDataType.Int64 => contents.Int64Contents.Select(v => (double)v).ToList(),
            TensorDataType.UInt64 => contents.Uint64Contents.Select(v => (double)v).ToList(),
            TensorDataType.UInt8 or TensorDataType.UInt16 or TensorDataType.UInt32 => contents.UintContents.Select(v => (double)v).ToList(),
            TensorDataType.Bool => contents.BoolContents.Select(v => v ? 1.0 : 0.0).ToList(),
            _ => contents.IntContents.Select(v => (double)v).ToList(),
        };
        var data = new byte[values.Count * TensorDataTypes.SizeOf(type)];
        for (var i = 0; i < values.Count; i++)
        {
            TensorElements.Write(type, data, i, values[i]);
        }

        return new ClientTensor(name, type, shape, data);
    }

    private static TensorDescription Describe(ModelMetadataResponse.Types.TensorMetadata tensor) =>
        TensorDataTypes.TryParse(tensor.Datatype, out var type)
            ? new TensorDescription(tensor.Name, type.Value, tensor.Shape.ToArray())
            : throw new InferenceClientException("OK", $"tensor '{tensor.Name}' has an unknown datatype '{tensor.Datatype}'");
}
