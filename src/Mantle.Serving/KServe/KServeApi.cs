using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mantle.Serving.KServe;

/// <summary>Registers and maps the KServe v2 / Open Inference Protocol REST (/v2) and gRPC (inference.GRPCInferenceService) APIs.</summary>
public static class KServeApi
{
    /// <summary>Adds the services the API needs.</summary>
    public static IServiceCollection AddKServe(this IServiceCollection services) => services;

    /// <summary>Maps the REST endpoints on the REST listener.</summary>
    public static IEndpointRouteBuilder MapKServeRest(this IEndpointRouteBuilder endpoints) => endpoints;

    /// <summary>Maps the gRPC services on the gRPC listener.</summary>
    public static IEndpointRouteBuilder MapKServeGrpc(this IEndpointRouteBuilder endpoints) => endpoints;
}
