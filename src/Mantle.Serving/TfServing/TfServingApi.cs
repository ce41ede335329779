using Mantle.Serving.TfServing.Internal;
using Mantle.Serving.TfServing.Internal.Rest;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mantle.Serving.TfServing;

/// <summary>
/// Registers and maps the TF Serving REST (/v1) and gRPC (tensorflow.serving.PredictionService and
/// ModelService) APIs over the <see cref="Engine.IModelRepository"/> registered in the container.
/// </summary>
public static class TfServingApi
{
    /// <summary>Adds the services the API needs (gRPC included).</summary>
    public static IServiceCollection AddTfServing(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddGrpc();
        services.TryAddSingleton<TfRestEndpoints>();
        return services;
    }

    /// <summary>
    /// Maps the REST endpoints on the REST listener: <c>GET /v1/models/{m}[/versions/{v}|/labels/{l}][/metadata]</c>
    /// and <c>POST /v1/models/{m}[…]:predict</c> (<c>:classify</c> and <c>:regress</c> answer 501).
    /// </summary>
    public static IEndpointRouteBuilder MapTfServingRest(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/v1/models/{**path}", TfRestEndpoints.HandleGet);
        endpoints.MapPost("/v1/models/{**path}", TfRestEndpoints.HandlePost);
        return endpoints;
    }

    /// <summary>Maps the gRPC services on the gRPC listener.</summary>
    public static IEndpointRouteBuilder MapTfServingGrpc(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<TfPredictionService>();
        endpoints.MapGrpcService<TfModelService>();
        return endpoints;
    }
}
