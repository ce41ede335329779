using Mantle.Serving.KServe.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mantle.Serving.KServe;

/// <summary>Registers and maps the KServe v2 / Open Inference Protocol REST (/v2) and gRPC (inference.GRPCInferenceService) APIs.</summary>
public static class KServeApi
{
    /// <summary>
    /// Adds the services the API needs: <see cref="KServeOptions"/> (bound from <c>Serving:KServe</c>
    /// when configuration is available, validated at start) and the handlers. Needs an
    /// <see cref="Engine.IModelRepository"/> registered by the host.
    /// </summary>
    public static IServiceCollection AddKServe(this IServiceCollection services, Action<KServeOptions>? configure = null)
    {
        var options = services.AddOptions<KServeOptions>().BindConfiguration(KServeOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KServeOptions>, KServeOptionsValidator>());
        services.TryAddSingleton<KServeRestHandlers>();
        services.AddGrpc();
        return services;
    }

    /// <summary>Maps the REST endpoints (<c>/v2</c>, health, model metadata and readiness, infer) on the REST listener.</summary>
    public static IEndpointRouteBuilder MapKServeRest(this IEndpointRouteBuilder endpoints)
    {
        var handlers = endpoints.ServiceProvider.GetRequiredService<KServeRestHandlers>();
        endpoints.MapGet("/v2", handlers.ServerMetadata);
        endpoints.MapGet("/v2/health/live", KServeRestHandlers.Live);
        endpoints.MapGet("/v2/health/ready", handlers.Ready);
        foreach (var model in new[] { "/v2/models/{model}", "/v2/models/{model}/versions/{version}" })
        {
            endpoints.MapGet(model, handlers.ModelMetadata);
            endpoints.MapGet(model + "/ready", handlers.ModelReady);
            endpoints.MapPost(model + "/infer", handlers.Infer);
        }

        return endpoints;
    }

    /// <summary>Maps <c>inference.GRPCInferenceService</c> on the gRPC listener.</summary>
    public static IEndpointRouteBuilder MapKServeGrpc(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<KServeGrpcService>();
        return endpoints;
    }
}
