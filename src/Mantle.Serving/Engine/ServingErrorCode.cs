namespace Mantle.Serving.Engine;

/// <summary>
/// The kind of a serving error. The values follow the canonical gRPC/TF Serving status codes so that
/// every API can map them: REST status codes for TF Serving and KServe, gRPC status codes for both.
/// </summary>
public enum ServingErrorCode
{
    /// <summary>The request is malformed: wrong dtype, shape, element count, bad JSON or base64 (HTTP 400, gRPC INVALID_ARGUMENT).</summary>
    InvalidArgument,

    /// <summary>The model, version or label does not exist (HTTP 404, gRPC NOT_FOUND).</summary>
    NotFound,

    /// <summary>The model exists but cannot serve now, for example still loading (HTTP 503, gRPC UNAVAILABLE).</summary>
    Unavailable,

    /// <summary>A request or batch queue limit was exceeded (HTTP 429 or 413, gRPC RESOURCE_EXHAUSTED).</summary>
    ResourceExhausted,

    /// <summary>The model cannot run the request in its present state (HTTP 400, gRPC FAILED_PRECONDITION).</summary>
    FailedPrecondition,

    /// <summary>The API is not implemented for this backend (HTTP 501, gRPC UNIMPLEMENTED).</summary>
    Unimplemented,

    /// <summary>The backend failed while running the model (HTTP 500, gRPC INTERNAL).</summary>
    Internal,
}
