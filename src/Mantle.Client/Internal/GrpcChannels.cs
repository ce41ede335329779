using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Mantle.Client.Inference;
using Mantle.Client.Trust.Internal;

namespace Mantle.Client;

/// <summary>Channel creation and error translation shared by the gRPC clients.</summary>
internal static class GrpcChannels
{
    /// <summary>Matches the server's default message limit, so large tensors pass both ways.</summary>
    public const int MaxMessageBytes = 256 * 1024 * 1024;

    public static GrpcChannel Create(Uri address, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(address);
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler ?? new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
        });
    }

    /// <summary>
    /// Encodes <paramref name="request"/> once and returns a function that sends those bytes as a unary call. The response
    /// is not decoded (only the status counts): the cost of a call is the transport's alone, which is what a load client
    /// should add to the server's.
    /// </summary>
    public static Func<CancellationToken, Task> PrepareUnary(GrpcChannel channel, string serviceName, string methodName, IMessage request)
    {
        var encoded = request.ToByteArray();
        var method = new Method<byte[], byte[]>(MethodType.Unary, serviceName, methodName, EncodedRequest, DiscardedResponse);
        var invoker = channel.CreateCallInvoker();
        return async cancellationToken => await CallAsync(
            () => invoker.AsyncUnaryCall(method, null, new CallOptions(cancellationToken: cancellationToken), encoded).ResponseAsync).ConfigureAwait(false);
    }

    private static readonly Marshaller<byte[]> EncodedRequest = new(
        static (bytes, context) =>
        {
            context.SetPayloadLength(bytes.Length);
            context.Complete(bytes);
        },
        static context => context.PayloadAsNewBuffer());

    private static readonly Marshaller<byte[]> DiscardedResponse = new(
        static (_, context) => context.Complete([]),
        static _ => []);

    public static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException error) when (ServerVerificationHandler.Find(error.Status.DebugException) is { } refusal)
        {
            throw refusal.Rethrown(error);
        }
        catch (RpcException error) when (error.StatusCode != StatusCode.Cancelled)
        {
            throw new InferenceClientException(error.StatusCode.ToString(), error.Status.Detail, error);
        }
    }
}
