namespace Mantle.Client.Inference;

/// <summary>The four inference APIs a Mantle server speaks.</summary>
public enum InferenceProtocol
{
    /// <summary>TF Serving gRPC (<c>tensorflow.serving.PredictionService</c>), default port 8500.</summary>
    TfsGrpc,

    /// <summary>TF Serving REST (<c>/v1/models/…:predict</c>), default port 8501.</summary>
    TfsRest,

    /// <summary>KServe v2 gRPC (<c>inference.GRPCInferenceService</c>), default port 8500.</summary>
    KServeGrpc,

    /// <summary>KServe v2 REST (<c>/v2/models/…/infer</c>, binary tensor extension), default port 8501.</summary>
    KServeRest,

    /// <summary>KServe v2 REST with tensors as JSON <c>"data"</c> arrays instead of binary data, default port 8501.</summary>
    KServeRestJson,
}
