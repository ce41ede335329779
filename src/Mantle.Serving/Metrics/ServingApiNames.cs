namespace Mantle.Serving.Metrics;

/// <summary>The values of the <c>api</c> label of the serving metrics.</summary>
public static class ServingApiNames
{
    /// <summary>TF Serving REST (<c>/v1</c>).</summary>
    public const string TfServingRest = "tfs-rest";

    /// <summary>TF Serving gRPC (<c>tensorflow.serving</c>).</summary>
    public const string TfServingGrpc = "tfs-grpc";

    /// <summary>KServe v2 REST (<c>/v2</c>).</summary>
    public const string KServeRest = "kserve-rest";

    /// <summary>KServe v2 gRPC (<c>inference.GRPCInferenceService</c>).</summary>
    public const string KServeGrpc = "kserve-grpc";
}
