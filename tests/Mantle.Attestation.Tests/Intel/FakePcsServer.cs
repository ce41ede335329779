using System.Collections.Concurrent;
using System.Text;
using Mantle.Attestation.Intel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.Attestation.Tests.Intel;

/// <summary>A PCCS-shaped Kestrel server on 127.0.0.1 that serves collateral bundles the way Intel PCS v4 does.</summary>
internal sealed class FakePcsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakePcsServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Requests served, by path.</summary>
    public ConcurrentDictionary<string, int> Hits { get; } = new();

    public static async Task<FakePcsServer> StartAsync(IReadOnlyDictionary<TeeType, IntelCollateral> bundles)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakePcsServer? server = null;

        foreach (var (tee, bundle) in bundles)
        {
            var prefix = tee == TeeType.Tdx ? "/tdx" : "/sgx";
            app.MapGet(prefix + "/certification/v4/tcb", (HttpContext context) =>
            {
                server!.Count(context);
                if (!string.Equals(context.Request.Query["fmspc"], bundle.Fmspc, StringComparison.OrdinalIgnoreCase))
                {
                    return Results.NotFound();
                }

                context.Response.Headers["TCB-Info-Issuer-Chain"] = Uri.EscapeDataString(bundle.TcbInfoIssuerChain);
                return Results.Bytes(Signed("tcbInfo", bundle.TcbInfoJson, bundle.TcbInfoSignature), "application/json");
            });
            app.MapGet(prefix + "/certification/v4/qe/identity", (HttpContext context) =>
            {
                server!.Count(context);
                context.Response.Headers["SGX-Enclave-Identity-Issuer-Chain"] = Uri.EscapeDataString(bundle.QeIdentityIssuerChain);
                return Results.Bytes(Signed("enclaveIdentity", bundle.QeIdentityJson, bundle.QeIdentitySignature), "application/json");
            });
        }

        var any = bundles.Values.First();
        app.MapGet("/sgx/certification/v4/pckcrl", (HttpContext context) =>
        {
            server!.Count(context);
            var ca = context.Request.Query["ca"].ToString();
            var bundle = bundles.Values.FirstOrDefault(b => b.PckCrlIssuerChain.Length > 0 && PckCaOf(b) == ca);
            if (bundle is null)
            {
                return Results.NotFound();
            }

            context.Response.Headers["SGX-PCK-CRL-Issuer-Chain"] = Uri.EscapeDataString(bundle.PckCrlIssuerChain);
            return Results.Bytes(bundle.PckCrl.ToArray(), "application/pkix-crl");
        });
        app.MapGet("/sgx/certification/v4/rootcacrl", (HttpContext context) =>
        {
            server!.Count(context);
            return Results.Text(Convert.ToHexStringLower(any.RootCaCrl.Span));
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakePcsServer(app, new Uri(address));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Count(HttpContext context) => Hits.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);

    private static string PckCaOf(IntelCollateral bundle)
    {
        var chain = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        chain.ImportFromPem(bundle.PckCrlIssuerChain);
        return chain[0].Subject.Contains("Platform", StringComparison.Ordinal) ? "platform" : "processor";
    }

    private static byte[] Signed(string property, ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> signature) =>
        [.. Encoding.UTF8.GetBytes($"{{\"{property}\":"), .. json.Span, .. Encoding.UTF8.GetBytes($",\"signature\":\"{Convert.ToHexStringLower(signature.Span)}\"}}")];
}
