using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mantle.Serving.TfServing;

/// <summary>Registers and maps the TF Serving REST (/v1) and gRPC (tensorflow.serving) APIs.</summary>
public static class TfServingApi
{
    /// <summary>Adds the services the API needs.</summary>
    public static IServiceCollection AddTfServing(this IServiceCollection services) => services;

    /// <summary>Maps the REST endpoints on the REST listener.</summary>
    public static IEndpointRouteBuilder MapTfServingRest(this IEndpointRouteBuilder endpoints) => endpoints;

    /// <summary>Maps the gRPC services on the gRPC listener.</summary>
    public static IEndpointRouteBuilder MapTfServingGrpc(this IEndpointRouteBuilder endpoints) => endpoints;
}
