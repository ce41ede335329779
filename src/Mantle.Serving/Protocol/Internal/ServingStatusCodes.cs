using Grpc.Core;
using Mantle.Serving.Engine;
using Microsoft.AspNetCore.Http;

namespace Mantle.Serving.Protocol.Internal;

/// <summary>
/// The one mapping between <see cref="ServingErrorCode"/> and the HTTP and gRPC status codes, used by the TF
/// Serving and KServe APIs alike (TF Serving's table, http_server.cc ToHTTPStatusCode, which KServe shares).
/// </summary>
internal static class ServingStatusCodes
{
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

    public static RpcException ToRpcException(ServingError error) => new(new Status(ToGrpc(error.Code), error.Message));
}
