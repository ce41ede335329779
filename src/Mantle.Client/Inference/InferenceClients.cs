using Mantle.Client.KServe;
using Mantle.Client.TfServing;

namespace Mantle.Client.Inference;

/// <summary>Creates the client for an inference API.</summary>
public static class InferenceClients
{
    /// <summary>Creates a client of <paramref name="protocol"/> for the server at <paramref name="baseAddress"/>.</summary>
    /// <param name="protocol">The API to speak.</param>
    /// <param name="baseAddress">The server's base address (the gRPC port for gRPC APIs, the REST port for REST APIs).</param>
    /// <param name="handler">An HTTP handler, for example one that verifies the server's TLS certificate; null for the default.</param>
    public static IInferenceClient Create(InferenceProtocol protocol, Uri baseAddress, HttpMessageHandler? handler = null) => protocol switch
    {
        InferenceProtocol.TfsRest => new TfServingRestClient(baseAddress, handler),
        InferenceProtocol.KServeRest => new KServeRestClient(baseAddress, handler),
        InferenceProtocol.KServeRestJson => new KServeRestClient(baseAddress, handler, binaryData: false),
        InferenceProtocol.TfsGrpc => new TfServingGrpcClient(baseAddress, handler),
        InferenceProtocol.KServeGrpc => new KServeGrpcClient(baseAddress, handler),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown protocol."),
    };
}
