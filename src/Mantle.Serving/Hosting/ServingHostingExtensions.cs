using Mantle.Serving.Hosting.Internal;
using Mantle.Serving.KServe;
using Mantle.Serving.Metrics;
using Mantle.Serving.TfServing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mantle.Serving.Hosting;

/// <summary>
/// Registers and maps Mantle's inference APIs in an ASP.NET Core host, as <see cref="ServingServer"/> does for each of
/// its two listeners: <c>AddMantleServing</c> for the services, <c>UseMantleServingErrors</c> for the REST error format,
/// and <c>MapMantleServingRest</c> / <c>MapMantleServingGrpc</c> for the endpoints. The host registers the
/// <see cref="Engine.IModelRepository"/> that is served.
/// </summary>
public static class ServingHostingExtensions
{
    /// <summary>The REST paths of the Prometheus metrics.</summary>
    public static readonly IReadOnlyList<string> MetricsPaths = ["/monitoring/prometheus/metrics", "/metrics"];

    /// <summary>
    /// Adds the TF Serving and KServe v2 APIs, gRPC with the fault interceptor and the message limits of
    /// <paramref name="options"/>, and <see cref="ServingMetrics"/> unless one is registered. The options are
    /// registered as <see cref="IOptions{TOptions}"/> and validated when the host starts (an
    /// <see cref="OptionsValidationException"/> names each invalid option).
    /// </summary>
    public static IServiceCollection AddMantleServing(this IServiceCollection services, ServingServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddOptions<ServingServerOptions>().ValidateOnStart();
        services.TryAddSingleton<IOptionsFactory<ServingServerOptions>>(sp => new InstanceOptionsFactory<ServingServerOptions>(
            options,
            sp.GetServices<IConfigureOptions<ServingServerOptions>>(),
            sp.GetServices<IPostConfigureOptions<ServingServerOptions>>(),
            sp.GetServices<IValidateOptions<ServingServerOptions>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServingServerOptions>, ServingServerOptionsValidator>());
        services.TryAddSingleton<ServingMetrics>();
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<GrpcErrorInterceptor>();
            grpc.MaxReceiveMessageSize = options.MaxGrpcMessageBytes;
            grpc.MaxSendMessageSize = options.MaxGrpcMessageBytes;
        });
        services.AddTfServing();
        services.AddKServe();
        return services;
    }

    /// <summary>
    /// Answers a fault that escapes a REST handler with 500 and <c>{"error": …}</c> (logged with its stack trace,
    /// event 1013), and a request Kestrel cannot read with Kestrel's status; call it before mapping the endpoints.
    /// </summary>
    public static IApplicationBuilder UseMantleServingErrors(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<RestErrorMiddleware>();
    }

    /// <summary>
    /// Maps the REST API: TF Serving <c>/v1/models/…</c>, KServe <c>/v2/…</c>, the Prometheus metrics and, for any
    /// other path, 404 with <c>{"error": …}</c> naming the API. The returned builder covers all of them.
    /// </summary>
    public static IEndpointConventionBuilder MapMantleServingRest(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(string.Empty);
        group.MapTfServingRest();
        group.MapKServeRest();
        foreach (var path in MetricsPaths)
        {
            group.MapGet(path, WriteMetricsAsync);
        }

        group.MapFallback(RestErrorMiddleware.NoEndpointAsync);
        return group;
    }

    /// <summary>
    /// Maps the gRPC services: <c>tensorflow.serving.PredictionService</c>, <c>tensorflow.serving.ModelService</c> and
    /// <c>inference.GRPCInferenceService</c>. The returned builder covers all of them.
    /// </summary>
    public static IEndpointConventionBuilder MapMantleServingGrpc(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(string.Empty);
        group.MapTfServingGrpc();
        group.MapKServeGrpc();
        return group;
    }

    private static async Task WriteMetricsAsync(HttpContext context)
    {
        var metrics = context.RequestServices.GetRequiredService<ServingMetrics>();
        context.Response.ContentType = ServingMetrics.ContentType;
        await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
    }
}
