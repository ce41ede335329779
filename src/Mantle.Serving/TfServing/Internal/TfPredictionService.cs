using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mantle.Serving.Engine;
using Mantle.Serving.Metrics;
using Mantle.Serving.Protocol.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tensorflow.Serving;

namespace Mantle.Serving.TfServing.Internal;

/// <summary>tensorflow.serving.PredictionService: Predict and GetModelMetadata; the Example-based methods are not supported.</summary>
internal sealed class TfPredictionService(IModelRepository repository, IServiceProvider services, ILogger<TfPredictionService> logger) : PredictionService.PredictionServiceBase
{
    private readonly ServingMetrics? _metrics = services.GetService<ServingMetrics>();

    public override async Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        long? version = null;
        try
        {
            var response = await PredictCoreAsync(request, context, v => version = v).ConfigureAwait(false);
            Record(request.ModelSpec, version, null, started);
            return response;
        }
        catch (RpcException ex)
        {
            Record(request.ModelSpec, version, ex.StatusCode, started);
            TfServingLog.GrpcRequestFailed(logger, "Predict", request.ModelSpec?.Name ?? string.Empty, ex.StatusCode);
            throw;
        }
    }

    public override Task<GetModelMetadataResponse> GetModelMetadata(GetModelMetadataRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = GetModelMetadataCore(request);
            Record(request.ModelSpec, response.ModelSpec.Version, null, started);
            return Task.FromResult(response);
        }
        catch (RpcException ex)
        {
            Record(request.ModelSpec, null, ex.StatusCode, started);
            TfServingLog.GrpcRequestFailed(logger, "GetModelMetadata", request.ModelSpec?.Name ?? string.Empty, ex.StatusCode);
            throw;
        }
    }

    private void Record(ModelSpec? spec, long? version, StatusCode? status, long started) =>
        _metrics?.RecordRequest(ServingApiNames.TfServingGrpc, spec?.Name ?? string.Empty, version, status is null ? null : ServingStatusCodes.FromGrpc(status.Value), Stopwatch.GetElapsedTime(started));

    private async Task<PredictResponse> PredictCoreAsync(PredictRequest request, ServerCallContext context, Action<long> served)
    {
        var lookup = TfModels.Find(repository, request.ModelSpec);
        if (!lookup.Found)
        {
            throw ServingStatusCodes.ToRpcException(lookup.Error);
        }

        var model = lookup.Model;
        served(model.Version);
        var inferenceRequest = BuildRequest(request, model.Signature);
        using var result = await model.InferAsync(inferenceRequest, context.CancellationToken).ConfigureAwait(false);
        if (result.Error is not null)
        {
            throw ServingStatusCodes.ToRpcException(result.Error);
        }

        var response = new PredictResponse { ModelSpec = TfModels.SpecOf(model) };
        foreach (var output in result.Outputs)
        {
            response.Outputs[output.Name] = TensorProtoCodec.Encode(output);
        }

        return response;
    }

    private GetModelMetadataResponse GetModelMetadataCore(GetModelMetadataRequest request)
    {
        var lookup = TfModels.Find(repository, request.ModelSpec);
        if (!lookup.Found)
        {
            throw ServingStatusCodes.ToRpcException(lookup.Error);
        }

        if (request.MetadataField.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "GetModelMetadataRequest must specify at least one metadata_field; use \"signature_def\""));
        }

        foreach (var field in request.MetadataField)
        {
            if (field != "signature_def")
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Metadata field {field} is not supported; the only field is \"signature_def\""));
            }
        }

        var response = new GetModelMetadataResponse { ModelSpec = TfModels.SpecOf(lookup.Model) };
        response.Metadata["signature_def"] = Any.Pack(TfModels.SignatureDefs(lookup.Model.Signature));
        return response;
    }

    public override Task<ClassificationResponse> Classify(ClassificationRequest request, ServerCallContext context) =>
        throw Unimplemented("Classify");

    public override Task<RegressionResponse> Regress(RegressionRequest request, ServerCallContext context) =>
        throw Unimplemented("Regress");

    public override Task<MultiInferenceResponse> MultiInference(MultiInferenceRequest request, ServerCallContext context) =>
        throw Unimplemented("MultiInference");

    private static RpcException Unimplemented(string method) =>
        new(new Status(
            StatusCode.Unimplemented,
            $"{method} is not supported: it needs tf.Example inputs and a TensorFlow classification/regression signature, which ONNX models do not have; use Predict"));

    private static InferenceRequest BuildRequest(PredictRequest request, ModelSignature signature)
    {
        var signatureError = TfModels.CheckSignature(request.ModelSpec.SignatureName);
        if (signatureError is not null)
        {
            throw ServingStatusCodes.ToRpcException(signatureError);
        }

        var inputs = new List<InferenceTensor>(request.Inputs.Count);
        foreach (var (name, proto) in request.Inputs)
        {
            if (RequestText.Check("an input tensor alias", name) is { } tooLong)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, tooLong));
            }

            var spec = signature.Inputs.FirstOrDefault(i => i.Name == name);
            if (spec is null)
            {
                throw new RpcException(new Status(
                    StatusCode.InvalidArgument,
                    $"input tensor alias not found in signature: {name}; the inputs are: {string.Join(", ", signature.Inputs.Select(i => i.Name))}"));
            }

            if (TfDataTypes.TryToTf(spec.ElementType, out var expected) && proto.Dtype != expected)
            {
                throw new RpcException(new Status(
                    StatusCode.InvalidArgument,
                    $"input '{name}' has dtype {TfDataTypes.Name(proto.Dtype)} but the model expects {TfDataTypes.Name(expected)}"));
            }

            var tensor = TensorProtoCodec.Decode(name, proto, out var error);
            if (tensor is null)
            {
                throw ServingStatusCodes.ToRpcException(error!);
            }

            inputs.Add(tensor);
        }

        List<string>? outputs = null;
        if (request.OutputFilter.Count > 0)
        {
            outputs = new List<string>(request.OutputFilter.Count);
            foreach (var name in request.OutputFilter)
            {
                if (RequestText.Check("an output_filter alias", name) is { } tooLong)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, tooLong));
                }

                if (!signature.Outputs.Any(o => o.Name == name))
                {
                    throw new RpcException(new Status(
                        StatusCode.InvalidArgument,
                        $"output tensor alias not found in signature: {name}; the outputs are: {string.Join(", ", signature.Outputs.Select(o => o.Name))}"));
                }

                if (outputs.Contains(name))
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"duplicate output tensor alias in output_filter: {name}"));
                }

                outputs.Add(name);
            }
        }

        return new InferenceRequest(inputs, outputs);
    }
}
