using System.Net;
using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Engine;
using Mantle.Serving.KServe;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Tests.KServe;

/// <summary>Real Kestrel on 127.0.0.1 (port 0): one HTTP/1.1 listener for REST and one HTTP/2 listener for gRPC.</summary>
internal sealed class KServeTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KServeTestServer(WebApplication app, Uri rest, Uri grpc)
    {
        _app = app;
        RestAddress = rest;
        GrpcAddress = grpc;
        Http = new HttpClient { BaseAddress = rest, Timeout = TimeSpan.FromSeconds(60) };
        Channel = GrpcChannel.ForAddress(grpc, new GrpcChannelOptions { MaxReceiveMessageSize = 256 * 1024 * 1024, MaxSendMessageSize = 256 * 1024 * 1024 });
        Grpc = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public Uri RestAddress { get; }

    public Uri GrpcAddress { get; }

    public HttpClient Http { get; }

    public GrpcChannel Channel { get; }

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; }

    public static async Task<KServeTestServer> StartAsync(IModelRepository repository, Action<KServeOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(repository);
        builder.Services.AddKServe(configure);
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = 256 * 1024 * 1024;
            o.MaxSendMessageSize = 256 * 1024 * 1024;
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapKServeRest();
        app.MapKServeGrpc();
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        return new KServeTestServer(app, addresses[0], addresses[1]);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
