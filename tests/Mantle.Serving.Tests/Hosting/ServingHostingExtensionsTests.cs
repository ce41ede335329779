using System.Net;
using System.Net.Http.Json;
using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Tests.KServe;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mantle.Serving.Tests.Hosting;

/// <summary>Mantle's APIs hosted in an application the user builds, through the Add/Use/Map extensions.</summary>
public sealed class ServingHostingExtensionsTests
{
    [Fact]
    public async Task Start_InvalidOptions_FailsAtStartNamingEachOption()
    {
        await using var app = Build(new ServingServerOptions { GrpcPort = 70000, Host = "not an address" }, _ => { });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(ex.Failures, f => f.Contains("port must be between 0 and 65535", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("host must be an IP address", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MapRest_BuilderCoversEveryEndpoint_AndTheApiAnswers()
    {
        await using var app = Build(new ServingServerOptions(), a =>
        {
            a.UseMantleServingErrors();
            a.MapMantleServingRest().WithMetadata(new HostTag());
            a.MapGet("/own", () => "the host's own endpoint");
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        var ready = await http.GetAsync("/v2/health/ready");
        var missing = await http.GetAsync("/nothing/here");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("/v2/", (await missing.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["error"], StringComparison.Ordinal);
        Assert.Equal("the host's own endpoint", await http.GetStringAsync("/own"));
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints;
        var tagged = endpoints.Where(e => e.Metadata.GetMetadata<HostTag>() is not null).Select(e => e.DisplayName ?? string.Empty).ToList();
        Assert.Equal(endpoints.Count - 1, tagged.Count);
        Assert.Contains(tagged, n => n.Contains("/v1/models", StringComparison.Ordinal));
        Assert.Contains(tagged, n => n.Contains("/metrics", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MapGrpc_BuilderCoversEveryService_AndTheApiAnswers()
    {
        await using var app = Build(new ServingServerOptions(), a => a.MapMantleServingGrpc().WithMetadata(new HostTag()), grpc: true);
        await app.StartAsync();
        using var channel = GrpcChannel.ForAddress(app.Urls.First());

        var live = await new GRPCInferenceService.GRPCInferenceServiceClient(channel).ServerLiveAsync(new ServerLiveRequest());

        Assert.True(live.Live);
        var services = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<HostTag>() is not null)
            .Select(e => e.DisplayName ?? string.Empty)
            .ToList();
        Assert.Contains(services, n => n.Contains("tensorflow.serving.PredictionService", StringComparison.Ordinal));
        Assert.Contains(services, n => n.Contains("tensorflow.serving.ModelService", StringComparison.Ordinal));
        Assert.Contains(services, n => n.Contains("inference.GRPCInferenceService", StringComparison.Ordinal));
    }

    private static WebApplication Build(ServingServerOptions options, Action<WebApplication> map, bool grpc = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        builder.Services.AddSingleton<IModelRepository>(new TestRepository());
        builder.Services.AddMantleServing(options);
        var app = builder.Build();
        map(app);
        return app;
    }

    private sealed class HostTag;
}
