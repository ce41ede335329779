using Mantle.Attestation;
using Mantle.Attestation.Sim;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.KeyBroker.Tests;

/// <summary>The broker hosted in an application the user builds: the builder from MapMantleKeyBroker covers all of its endpoints.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EndpointMappingTests
{
    [Fact]
    public async Task MapMantleKeyBroker_BuilderCoversKbsJwksAndAdmin()
    {
        var directory = Directory.CreateTempSubdirectory("mantle-kb-map-").FullName;
        try
        {
            BrokerInitializer.Initialize(Path.Combine(directory, "broker"), new BrokerInitOptions { AllowSim = true });
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddMantleKeyBroker(configure: o => o.ConfigDirectory = Path.Combine(directory, "broker"));
            builder.Services.AddSingleton<IEvidenceVerifier>(new SimEvidenceVerifier(SimulatedTee.CreateEphemeral().ToPublicOnly()));
            await using var app = builder.Build();

            app.MapMantleKeyBroker().WithMetadata(new HostTag());
            app.MapGet("/own", () => "the host's own endpoint");

            var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
            var untagged = endpoints.Where(e => e.Metadata.GetMetadata<HostTag>() is null).Select(e => e.RoutePattern.RawText).ToList();
            Assert.Equal(["/own"], untagged);
            var tagged = endpoints.Select(e => e.RoutePattern.RawText ?? string.Empty).Where(p => p != "/own").ToList();
            Assert.Contains(tagged, p => p.StartsWith("/kbs/v0/", StringComparison.Ordinal));
            Assert.Contains("/.well-known/jwks.json", tagged);
            Assert.Contains(tagged, p => p.StartsWith("/admin/v0/", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class HostTag;
}
