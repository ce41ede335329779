using Google.Protobuf;
using Grpc.Core;
using Inference;
using Mantle.Serving.Engine;
using Mantle.Serving.KServe.Internal;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>Sends engine tensors through KServe gRPC ModelInfer (raw_input_contents) and reads raw_output_contents back.</summary>
internal static class KServeGrpcTestClient
{
    public static async Task<(IReadOnlyList<InferenceTensor>? Outputs, string? Error)> InferAsync(
        GRPCInferenceService.GRPCInferenceServiceClient client, string model, IReadOnlyList<InferenceTensor> inputs)
    {
        var request = new ModelInferRequest { ModelName = model };
        foreach (var tensor in inputs)
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = tensor.Name, Datatype = KServeDataTypes.ToName(tensor.ElementType) };
            input.Shape.Add(tensor.Shape);
            request.Inputs.Add(input);
            var raw = new byte[KServeTensorCodec.RawLength(tensor)];
            KServeTensorCodec.WriteRaw(tensor, new FixedBufferWriter(raw));
            request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(raw));
        }

        ModelInferResponse response;
        try
        {
            response = await client.ModelInferAsync(request);
        }
        catch (RpcException ex)
        {
            return (null, $"{ex.StatusCode}: {ex.Status.Detail}");
        }

        var outputs = new List<InferenceTensor>();
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var output = response.Outputs[i];
            if (!KServeDataTypes.TryParse(output.Datatype, out var type))
            {
                return (null, $"output '{output.Name}' has datatype '{output.Datatype}'");
            }

            var shape = output.Shape.ToArray();
            var raw = response.RawOutputContents[i].Memory;
            outputs.Add(type == TensorElementType.String
                ? InferenceTensor.FromStrings(output.Name, shape, KServeTensorCodec.SplitBytesElements(output.Name, raw, shape.Aggregate(1L, (a, b) => a * b)))
                : InferenceTensor.FromBytes(output.Name, type, shape, raw));
        }

        return (outputs, null);
    }
}
