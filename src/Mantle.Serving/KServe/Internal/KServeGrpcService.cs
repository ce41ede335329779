using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using Mantle.Serving.Engine;
using Mantle.Serving.Metrics;
using Mantle.Serving.Protocol.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mantle.Serving.KServe.Internal;

/// <summary><c>inference.GRPCInferenceService</c> on the engine.</summary>
internal sealed class KServeGrpcService(
    IModelRepository repository,
    IOptions<KServeOptions> options,
    ILogger<KServeGrpcService> logger,
    ServingMetrics? metrics = null)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    private const string Api = "grpc";

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = repository.IsReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var lookup = Lookup(request.Name, request.Version);
        if (!lookup.Found && lookup.Error.Code != ServingErrorCode.Unavailable)
        {
            throw Refuse(request.Name, lookup.Error.Code, lookup.Error.Message);
        }

        return Task.FromResult(new ModelReadyResponse { Ready = lookup.Found });
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = options.Value.ServerName, Version = KServeServerInfo.Version };
        response.Extensions.Add(KServeServerInfo.Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var lookup = Lookup(request.Name, request.Version);
        if (!lookup.Found)
        {
            throw Refuse(request.Name, lookup.Error.Code, lookup.Error.Message);
        }

        var model = lookup.Model;
        var response = new ModelMetadataResponse { Name = model.Name, Platform = model.Platform };
        foreach (var status in repository.GetStatus(model.Name))
        {
            if (status.State == ModelVersionState.Available)
            {
                response.Versions.Add(status.Version.ToString(CultureInfo.InvariantCulture));
            }
        }

        foreach (var spec in model.Signature.Inputs)
        {
            response.Inputs.Add(Metadata(spec));
        }

        foreach (var spec in model.Signature.Outputs)
        {
            response.Outputs.Add(Metadata(spec));
        }

        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var lookup = Lookup(request.ModelName, request.ModelVersion);
        ServingErrorCode? outcome = ServingErrorCode.Internal;
        try
        {
            var response = await InferCoreAsync(request, lookup, context.CancellationToken);
            outcome = null;
            return response;
        }
        catch (RpcException ex)
        {
            outcome = ServingStatusCodes.FromGrpc(ex.StatusCode);
            throw;
        }
        finally
        {
            metrics?.RecordRequest(ServingApiNames.KServeGrpc, request.ModelName, lookup.Model?.Version, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<ModelInferResponse> InferCoreAsync(ModelInferRequest request, ModelLookup lookup, CancellationToken cancellationToken)
    {
        if (!lookup.Found)
        {
            throw Refuse(request.ModelName, lookup.Error.Code, lookup.Error.Message);
        }

        var model = lookup.Model;
        List<InferenceTensor> inputs;
        List<string>? outputNames = null;
        try
        {
            inputs = DecodeInputs(request);
            if (request.Outputs.Count > 0)
            {
                outputNames = new List<string>(request.Outputs.Count);
                foreach (var output in request.Outputs)
                {
                    outputNames.Add(output.Name);
                }
            }

            KServeTensorCodec.CheckSignature(model, inputs, outputNames);
        }
        catch (KServeRequestException ex)
        {
            throw Refuse(request.ModelName, ex.Code, ex.Message);
        }

        using var result = await model.InferAsync(new InferenceRequest(inputs, outputNames), cancellationToken);
        if (result.Error is { } error)
        {
            if (error.Code == ServingErrorCode.Internal)
            {
                KServeLog.BackendFailed(logger, Api, model.Name, error.Message);
                throw new RpcException(new Status(StatusCode.Internal, error.Message));
            }

            throw Refuse(model.Name, error.Code, error.Message);
        }

        var response = new ModelInferResponse
        {
            ModelName = model.Name,
            ModelVersion = model.Version.ToString(CultureInfo.InvariantCulture),
            Id = request.Id,
        };
        foreach (var tensor in result.Outputs)
        {
            var datatype = KServeDataTypes.ToName(tensor.ElementType)
                ?? throw Refuse(model.Name, ServingErrorCode.Unimplemented, $"output '{tensor.Name}' has element type {tensor.ElementType}, which the protocol cannot carry");
            var output = new ModelInferResponse.Types.InferOutputTensor { Name = tensor.Name, Datatype = datatype };
            output.Shape.Add(tensor.Shape);
            response.Outputs.Add(output);

            // The result's memory is released when this method returns, before serialization: copy once.
            if (tensor.Strings is null)
            {
                response.RawOutputContents.Add(ByteString.CopyFrom(tensor.Data.Span));
            }
            else
            {
                var raw = new byte[KServeTensorCodec.RawLength(tensor)];
                var writer = new FixedBufferWriter(raw);
                KServeTensorCodec.WriteRaw(tensor, writer);
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(raw));
            }
        }

        return response;
    }

    private static List<InferenceTensor> DecodeInputs(ModelInferRequest request)
    {
        CheckText("the request id", request.Id);
        foreach (var output in request.Outputs)
        {
            CheckText("an output's name", output.Name);
        }

        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            throw new KServeRequestException(
                $"raw_input_contents has {raw.Count} entries but the request has {request.Inputs.Count} inputs; give one entry per input, in input order");
        }

        var inputs = new List<InferenceTensor>(request.Inputs.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            CheckText("an input's name", input.Name);
            CheckText("an input's datatype", input.Datatype);
            if (string.IsNullOrEmpty(input.Name))
            {
                throw new KServeRequestException($"input {i} has no name");
            }

            if (!seen.Add(input.Name))
            {
                throw new KServeRequestException($"input '{input.Name}' is given more than once");
            }

            var type = KServeTensorCodec.ParseDatatype(input.Name, input.Datatype);
            var shape = input.Shape.ToArray();
            if (raw.Count > 0)
            {
                if (input.Contents is not null && HasContents(input.Contents))
                {
                    throw new KServeRequestException($"input '{input.Name}' has typed contents while the request uses raw_input_contents; use one form");
                }

                inputs.Add(KServeTensorCodec.FromRaw(input.Name, type, shape, raw[i].Memory));
            }
            else
            {
                inputs.Add(KServeGrpcContents.ToTensor(input.Name, type, shape, input.Contents));
            }
        }

        return inputs;
    }

    private static void CheckText(string field, string value)
    {
        if (RequestText.Check(field, value) is { } tooLong)
        {
            throw new KServeRequestException(tooLong);
        }
    }

    private static bool HasContents(InferTensorContents c) =>
        c.BoolContents.Count + c.IntContents.Count + c.Int64Contents.Count + c.UintContents.Count + c.Uint64Contents.Count
        + c.Fp32Contents.Count + c.Fp64Contents.Count + c.BytesContents.Count > 0;

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(TensorSpec spec)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata
        {
            Name = spec.Name,
            Datatype = KServeDataTypes.ToName(spec.ElementType) ?? spec.ElementType.ToString().ToUpperInvariant(),
        };
        metadata.Shape.Add(spec.Shape);
        return metadata;
    }

    private ModelLookup Lookup(string name, string version)
    {
        if (string.IsNullOrEmpty(name))
        {
            return ModelLookup.Failed(ServingErrorCode.InvalidArgument, "the request names no model; set the model name");
        }

        if ((RequestText.Check("the model name", name) ?? RequestText.Check("the model version", version)) is { } tooLong)
        {
            return ModelLookup.Failed(ServingErrorCode.InvalidArgument, tooLong);
        }

        if (string.IsNullOrEmpty(version))
        {
            return repository.Find(name);
        }

        return long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? repository.Find(name, v)
            : repository.Find(name, label: version);
    }

    private RpcException Refuse(string model, ServingErrorCode code, string message)
    {
        KServeLog.RequestRefused(logger, Api, model, code, message);
        return new RpcException(new Status(ServingStatusCodes.ToGrpc(code), message));
    }
}
