using Grpc.Core;
using Mantle.Serving.Engine;
using Microsoft.AspNetCore.Http;

namespace Mantle.Serving.KServe.Internal;

/// <summary>Maps serving error kinds to HTTP and gRPC status codes.</summary>
internal static class KServeStatus
{
    public static int Http(ServingErrorCode code) => code switch
    {
        ServingErrorCode.InvalidArgument => StatusCodes.Status400BadRequest,
        ServingErrorCode.NotFound => StatusCodes.Status404NotFound,
        ServingErrorCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ServingErrorCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        ServingErrorCode.FailedPrecondition => StatusCodes.Status400BadRequest,
        ServingErrorCode.Unimplemented => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static StatusCode Grpc(ServingErrorCode code) => code switch
    {
        ServingErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        ServingErrorCode.NotFound => StatusCode.NotFound,
        ServingErrorCode.Unavailable => StatusCode.Unavailable,
        ServingErrorCode.ResourceExhausted => StatusCode.ResourceExhausted,
        ServingErrorCode.FailedPrecondition => StatusCode.FailedPrecondition,
        ServingErrorCode.Unimplemented => StatusCode.Unimplemented,
        _ => StatusCode.Internal,
    };
}
