using System.Net;
using System.Net.Http.Json;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Client.Trust;
using Mantle.Sealing;
using Mantle.Client.Certificates;
using Mantle.Serving.Confidential;

namespace Mantle.EndToEnd.Tests.Confidential;

/// <summary>The ra-tls and static modes of a confidential server, each against a client that checks it before it sends.</summary>
public class TlsModeTests
{
    [Fact]
    public async Task RaTls_ClientPolicyPinningThisMeasurement_SendsAndGetsAnAnswer()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), RaTls(world));

        using var http = new HttpClient(Trust(world, ConfidentialWorld.GoodMeasurement).CreateHandler()) { BaseAddress = new Uri($"https://localhost:{server.Server.RestPort}") };
        using var response = await http.GetAsync("/v2/models/mm");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ra-tls", server.Certificates!.Mode);
    }

    [Fact]
    public async Task RaTls_EvidenceFailingTheClientsPolicy_IsRefusedBeforeAnyRequest()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), RaTls(world));

        using var http = new HttpClient(Trust(world, ConfidentialWorld.OtherMeasurement).CreateHandler()) { BaseAddress = new Uri($"https://localhost:{server.Server.RestPort}") };
        var refused = await Assert.ThrowsAsync<ServerVerificationException>(() => http.PostAsJsonAsync("/v2/models/mm/infer", new { inputs = Array.Empty<object>() }));

        Assert.Equal(ServerVerificationFailure.PolicyViolation, refused.Failure);
        Assert.Contains("measurement", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Static_SealedServerKeyReleasedByTheBroker_ServesTheOwnersCertificate()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        var tls = Path.Combine(world.Root, "server-tls");
        TlsMaterial.Create(new TlsMaterialOptions { ServerName = "localhost" }).Save(tls);
        var sealedKey = Path.Combine(world.Root, "sealed-server-key");
        await ModelSealer.SealAsync(Path.Combine(tls, "server.key"), sealedKey, world.Owner.Key, world.Owner.Signer, new ModelSealOptions { Name = "server-key" });
        File.Delete(Path.Combine(tls, "server.key"));
        var options = world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement), mutualTls: false);
        options = new ConfidentialServingOptions
        {
            Broker = options.Broker,
            Evidence = options.Evidence,
            OwnerKey = options.OwnerKey,
            KeyCheckInterval = TimeSpan.Zero,
            Tls = ServerTlsMode.Static,
            CertificatePath = Path.Combine(tls, "server.crt"),
            KeyPath = sealedKey,
        };

        await using var server = await ConfidentialServer.StartAsync(world.Serving(), options);

        var trust = new ServerTrust();
        trust.AddCertificateAuthorities(Path.Combine(tls, "ca.crt"));
        using var http = new HttpClient(trust.CreateHandler()) { BaseAddress = new Uri($"https://localhost:{server.Server.RestPort}") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal("static", server.Certificates!.Mode);
        Assert.Equal(1, server.Timings.KeysReleased);
    }

    private static ConfidentialServingOptions RaTls(ConfidentialWorld world)
    {
        var options = world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement), mutualTls: false);
        return new ConfidentialServingOptions
        {
            Broker = options.Broker,
            Evidence = options.Evidence,
            OwnerKey = options.OwnerKey,
            KeyCheckInterval = TimeSpan.Zero,
            Tls = ServerTlsMode.RaTls,
        };
    }

    private static ServerTrust Trust(ConfidentialWorld world, byte[] measurement) => new()
    {
        Policy = AttestationPolicy.Parse(ConfidentialWorld.MeasurementPolicy(measurement)),
        EvidenceVerifier = EvidenceVerifiers.Create(new EvidenceVerifierOptions { SimPlatform = world.Platform }),
    };
}
