using Mantle.Serving.Engine;
using Mantle.Serving.Protocol.Internal;
using Tensorflow;
using Tensorflow.Serving;

namespace Mantle.Serving.TfServing.Internal;

/// <summary>Model lookup by ModelSpec, signature checks and SignatureDef building shared by the REST and gRPC APIs.</summary>
internal static class TfModels
{
    public const string DefaultSignature = "serving_default";
    public const string PredictMethod = "tensorflow/serving/predict";

    public static ModelLookup Find(IModelRepository repository, ModelSpec? spec)
    {
        if (spec is null || string.IsNullOrEmpty(spec.Name))
        {
            return ModelLookup.Failed(ServingErrorCode.InvalidArgument, "Missing ModelSpec: set model_spec.name to the name of a served model");
        }

        if ((RequestText.Check("model_spec.name", spec.Name) ?? RequestText.Check("model_spec.version_label", spec.VersionLabel)) is { } tooLong)
        {
            return ModelLookup.Failed(ServingErrorCode.InvalidArgument, tooLong);
        }

        return spec.VersionChoiceCase switch
        {
            ModelSpec.VersionChoiceOneofCase.Version => repository.Find(spec.Name, spec.Version),
            ModelSpec.VersionChoiceOneofCase.VersionLabel => repository.Find(spec.Name, label: spec.VersionLabel),
            _ => repository.Find(spec.Name),
        };
    }

    /// <summary>Checks a requested signature name: empty or "serving_default" (an ONNX model has one signature).</summary>
    public static ServingError? CheckSignature(string? signatureName)
    {
        if (string.IsNullOrEmpty(signatureName) || signatureName == DefaultSignature)
        {
            return null;
        }

        if (RequestText.Check("signature_name", signatureName) is { } tooLong)
        {
            return new ServingError(ServingErrorCode.InvalidArgument, tooLong);
        }

        return new ServingError(ServingErrorCode.FailedPrecondition, $"Serving signature key \"{signatureName}\" not found; this model has only \"{DefaultSignature}\"");
    }

    public static ModelSpec SpecOf(IServableModel model) => new()
    {
        Name = model.Name,
        Version = model.Version,
        SignatureName = DefaultSignature,
    };

    public static SignatureDefMap SignatureDefs(ModelSignature signature)
    {
        var def = new SignatureDef { MethodName = PredictMethod };
        foreach (var input in signature.Inputs)
        {
            def.Inputs[input.Name] = Info(input);
        }

        foreach (var output in signature.Outputs)
        {
            def.Outputs[output.Name] = Info(output);
        }

        var map = new SignatureDefMap();
        map.SignatureDef[DefaultSignature] = def;
        return map;
    }

    private static TensorInfo Info(TensorSpec spec)
    {
        TfDataTypes.TryToTf(spec.ElementType, out var dtype);
        return new TensorInfo
        {
            Name = spec.Name,
            Dtype = dtype,
            TensorShape = TensorProtoCodec.EncodeShape(spec.Shape),
        };
    }
}
