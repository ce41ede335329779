using Mantle.Serving.Engine;
using Tensorflow.Serving;
using EngineVersionStatus = Mantle.Serving.Engine.ModelVersionStatus;
using ProtoVersionStatus = Tensorflow.Serving.ModelVersionStatus;

namespace Mantle.Serving.TfServing.Internal;

/// <summary>Builds GetModelStatusResponse for the gRPC ModelService and the REST status endpoint.</summary>
internal static class TfModelStatus
{
    public static GetModelStatusResponse? Get(IModelRepository repository, string name, long? version, string? label, out ServingError? error)
    {
        error = null;
        if (string.IsNullOrEmpty(name))
        {
            error = new ServingError(ServingErrorCode.InvalidArgument, "Missing ModelSpec: set model_spec.name to the name of a served model");
            return null;
        }

        if (label is not null)
        {
            if (!repository.GetLabels(name).TryGetValue(label, out var labelled))
            {
                error = new ServingError(ServingErrorCode.NotFound, $"Model '{name}' has no version label '{label}'");
                return null;
            }

            version = labelled;
        }

        var states = repository.GetStatus(name, version);
        if (states.Count == 0)
        {
            error = new ServingError(
                ServingErrorCode.NotFound,
                version is null ? $"Could not find any versions of model {name}" : $"Could not find version {version} of model {name}");
            return null;
        }

        var response = new GetModelStatusResponse();
        foreach (var state in states)
        {
            response.ModelVersionStatus.Add(ToProto(state));
        }

        return response;
    }

    private static ProtoVersionStatus ToProto(EngineVersionStatus status) => new()
    {
        Version = status.Version,
        State = (ProtoVersionStatus.Types.State)(int)status.State,
        Status = new StatusProto
        {
            ErrorCode = status.Error is null ? Tensorflow.Error.Code.Ok : TfStatusMapping.ToTf(status.Error.Code),
            ErrorMessage = status.Error?.Message ?? string.Empty,
        },
    };
}
