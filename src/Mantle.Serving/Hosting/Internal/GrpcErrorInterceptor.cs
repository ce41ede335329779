using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Hosting.Internal;

/// <summary>
/// The last line of the gRPC listener. A fault that escapes a service method becomes INTERNAL with a message
/// that names no internals (instead of UNKNOWN), and is logged with its stack trace (event 1014); a call whose
/// client went away ends as CANCELLED.
/// </summary>
internal sealed class GrpcErrorInterceptor(ILogger<GrpcErrorInterceptor> logger) : Interceptor
{
    public const string FaultMessage = "internal error: the server failed while handling this call; its log has the details (event 1014)";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        }
        catch (Exception ex)
        {
            ServingLog.GrpcFault(logger, context.Method, ex);
            throw new RpcException(new Status(StatusCode.Internal, FaultMessage));
        }
    }
}
