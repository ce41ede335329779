using Grpc.Core;
using Mantle.Serving.Engine;
using Microsoft.AspNetCore.Http;

namespace Mantle.Serving.TfServing.Internal;

/// <summary>Maps serving errors to gRPC status codes, TensorFlow error codes and HTTP status codes (TF Serving's table).</summary>
internal static class TfStatusMapping
{
    public static StatusCode ToGrpc(ServingErrorCode code) => code switch
    {
        ServingErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        ServingErrorCode.NotFound => StatusCode.NotFound,
        ServingErrorCode.Unavailable => StatusCode.Unavailable,
        ServingErrorCode.ResourceExhausted => StatusCode.ResourceExhausted,
        ServingErrorCode.FailedPrecondition => StatusCode.FailedPrecondition,
        ServingErrorCode.Unimplemented => StatusCode.Unimplemented,
        _ => StatusCode.Internal,
    };

    public static ServingErrorCode FromGrpc(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument => ServingErrorCode.InvalidArgument,
        StatusCode.NotFound => ServingErrorCode.NotFound,
        StatusCode.Unavailable => ServingErrorCode.Unavailable,
        StatusCode.ResourceExhausted => ServingErrorCode.ResourceExhausted,
        StatusCode.FailedPrecondition => ServingErrorCode.FailedPrecondition,
        StatusCode.Unimplemented => ServingErrorCode.Unimplemented,
        _ => ServingErrorCode.Internal,
    };

    public static Tensorflow.Error.Code ToTf(ServingErrorCode code) => (Tensorflow.Error.Code)(int)ToGrpc(code);

    /// <summary>TF Serving's HTTP status for each canonical code (http_server.cc ToHTTPStatusCode).</summary>
    public static int ToHttp(ServingErrorCode code) => code switch
    {
        ServingErrorCode.InvalidArgument => StatusCodes.Status400BadRequest,
        ServingErrorCode.NotFound => StatusCodes.Status404NotFound,
        ServingErrorCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ServingErrorCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        ServingErrorCode.FailedPrecondition => StatusCodes.Status400BadRequest,
        ServingErrorCode.Unimplemented => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static RpcException ToRpcException(ServingError error) => new(new Status(ToGrpc(error.Code), error.Message));
}
