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
