using System.Net;
using System.Security.Cryptography.X509Certificates;
using Mantle.Serving.Engine;
using Mantle.Serving.KServe;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Mantle.Serving.TfServing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.Client.Tests.Trust;

/// <summary>
/// A real Kestrel TLS server on 127.0.0.1 (HTTP/1.1 and HTTP/2 with ALPN on one port) serving the TF Serving and KServe
/// REST and gRPC APIs over an adder model (y = x + [1, 2, 3, 4]); it counts the requests that reached it.
/// </summary>
internal sealed class TlsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ModelRepository _repository;
    private readonly string _folder;
    private int _requests;

    private TlsServer(WebApplication app, ModelRepository repository, string folder)
    {
        _app = app;
        _repository = repository;
        _folder = folder;
    }

    public int Port { get; private set; }

    /// <summary><c>https://127.0.0.1:PORT/</c>.</summary>
    public Uri Address => new($"https://127.0.0.1:{Port}/");

    /// <summary>Requests that reached the application (after the TLS handshake and HTTP parsing).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts a server with <paramref name="certificate"/>; with <paramref name="clientCa"/>, clients must present a certificate it issued.</summary>
    public static async Task<TlsServer> StartAsync(X509Certificate2 certificate, X509Certificate2? clientCa = null)
    {
        var folder = Directory.CreateTempSubdirectory("mantle-tls-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "adder", "1"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "adder", "1", "model.onnx"), OnnxModelBuilder.Adder());
        var repository = new ModelRepository([new ModelConfig { Name = "adder", BasePath = Path.Combine(folder, "adder") }]);
        await repository.LoadAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IModelRepository>(repository);
        builder.Services.AddGrpc();
        builder.Services.AddTfServing();
        builder.Services.AddKServe();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                ClientCertificateMode = clientCa is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (client, _, _) => clientCa is not null && IssuedBy(client, clientCa),
            });
        }));
        var app = builder.Build();
        var server = new TlsServer(app, repository, folder);
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref server._requests);
            await next(context);
        });
        app.MapTfServingRest();
        app.MapKServeRest();
        app.MapTfServingGrpc();
        app.MapKServeGrpc();
        await app.StartAsync();
        server.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _repository.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static bool IssuedBy(X509Certificate2 client, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(client);
    }
}
