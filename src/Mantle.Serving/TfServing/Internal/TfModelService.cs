using Grpc.Core;
using Mantle.Serving.Engine;
using Mantle.Serving.Protocol.Internal;
using Tensorflow.Serving;

namespace Mantle.Serving.TfServing.Internal;

/// <summary>tensorflow.serving.ModelService: GetModelStatus; configuration reload is not supported over gRPC.</summary>
internal sealed class TfModelService(IModelRepository repository) : ModelService.ModelServiceBase
{
    public override Task<GetModelStatusResponse> GetModelStatus(GetModelStatusRequest request, ServerCallContext context)
    {
        var spec = request.ModelSpec;
        var response = TfModelStatus.Get(
            repository,
            spec?.Name ?? string.Empty,
            spec?.VersionChoiceCase == ModelSpec.VersionChoiceOneofCase.Version ? spec.Version : null,
            spec?.VersionChoiceCase == ModelSpec.VersionChoiceOneofCase.VersionLabel ? spec.VersionLabel : null,
            out var error);
        return response is null ? throw ServingStatusCodes.ToRpcException(error!) : Task.FromResult(response);
    }

    public override Task<ReloadConfigResponse> HandleReloadConfigRequest(ReloadConfigRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(
            StatusCode.Unimplemented,
            "HandleReloadConfigRequest is not supported: models are configured with --model_config_file when the server starts"));
}
