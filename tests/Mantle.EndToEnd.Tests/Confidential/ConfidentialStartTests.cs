using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation;
using Mantle.KeyBroker;
using Mantle.Serving.Confidential;
using Mantle.Serving.Tests.Models;
using Mantle.Serving.Tls;
using Microsoft.Extensions.Time.Testing;

namespace Mantle.EndToEnd.Tests.Confidential;

public class ConfidentialStartTests
{
    private static readonly object InferBody = new
    {
        inputs = new[] { new { name = "x", shape = new[] { 1, 3 }, datatype = "FP32", data = new[] { 1f, 2f, 3f } } },
    };

    [Fact]
    public async Task Start_GoodMeasurement_ServesOverBrokerCaTlsWithClientCertificates()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement)));

        using var http = new HttpClient(world.ClientHandler()) { BaseAddress = new Uri($"https://localhost:{server.Server.RestPort}") };
        using var response = await http.PostAsJsonAsync("/v2/models/mm/infer", InferBody);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(string.Join(",", TestModels.MatMulAddRow(1, 2, 3)), body.Replace(".0", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("broker-ca", server.Certificates!.Mode);
        Assert.Equal(Convert.ToHexStringLower(ConfidentialWorld.GoodMeasurement), server.Claims!.Measurement);
        Assert.Equal(1, server.Timings.KeysReleased);

        // What a client that trusts the broker CA sees in the certificate: the claims the broker attested.
        var claims = BrokerCertificateClaims.Read(server.Certificates.Current);
        Assert.Equal(TeeType.Sim, claims!.Tee);
        Assert.Equal(Convert.ToHexStringLower(ConfidentialWorld.GoodMeasurement), claims.Measurement);
        Assert.Equal(["localhost"], server.Certificates.Current.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Fact]
    public async Task Start_GrpcOverTls_AnswersKServeGrpcWithAlpnH2()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement)));

        using var client = new Mantle.Client.KServe.KServeGrpcClient(new Uri($"https://localhost:{server.Server.GrpcPort}"), world.ClientHandler());
        var outputs = await client.InferAsync("mm", [new Mantle.Client.Tensors.ClientTensor("x", Mantle.Client.Tensors.TensorDataType.Float32, [1, 3], FloatBytes(1, 2, 3))]);

        var y = outputs.Single(o => o.Name == "y");
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(y.Data).ToArray());
    }

    [Fact]
    public async Task Start_ClientWithoutCertificate_IsRefusedInTheHandshake()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement)));

        using var http = new HttpClient(world.ClientHandler(withClientCertificate: false)) { BaseAddress = new Uri($"https://localhost:{server.Server.RestPort}") };
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/v2/health/ready"));

        using var good = new HttpClient(world.ClientHandler()) { BaseAddress = new Uri($"https://localhost:{server.Server.RestPort}") };
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Start_MeasurementOutsideTheKeysPolicy_FailsAtReleaseNamingTheClaim()
    {
        await using var world = await ConfidentialWorld.StartAsync();

        var error = await Assert.ThrowsAsync<ConfidentialStartException>(() =>
            ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.OtherMeasurement))));

        Assert.Equal(ConfidentialStartStep.Release, error.Step);
        Assert.Contains("measurement", error.Message, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(ConfidentialWorld.OtherMeasurement), error.Message, StringComparison.Ordinal);
        Assert.Contains(world.Owner.Key.Id, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DefaultPolicyRefusesTheTee_FailsAtPolicy()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        using (var admin = world.Admin())
        {
            await admin.SetPolicyAsync("default", """{"version": 1, "tees": ["sgx"], "tcb_status": ["UpToDate"]}""");
        }

        var error = await Assert.ThrowsAsync<ConfidentialStartException>(() =>
            ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement))));

        Assert.Equal(ConfidentialStartStep.Policy, error.Step);
        Assert.Contains("tee", error.Message, StringComparison.Ordinal);
        // The model key and the certificate waited for the start's one attestation and got its refusal: none attested again.
        using (var admin = world.Admin())
        {
            Assert.Single(await admin.ReadAuditAsync(), e => e.Action == "attest");
        }
    }

    [Fact]
    public async Task Session_CallersDuringAnAttestation_ShareItsOutcome()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        string original;
        using (var admin = world.Admin())
        {
            original = await admin.GetPolicyAsync("default");
            await admin.SetPolicyAsync("default", """{"version": 1, "tees": ["sgx"], "tcb_status": ["UpToDate"]}""");
        }

        var options = world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement));
        using var session = new BrokerSession(options.Broker, options.Evidence);
        session.BeginAttestation();
        var callers = Enumerable.Range(0, 3).Select(_ => session.EnsureAttestedAsync()).ToList();

        foreach (var caller in callers)
        {
            var error = await Assert.ThrowsAsync<ConfidentialStartException>(() => caller);
            Assert.Equal(ConfidentialStartStep.Policy, error.Step);
        }

        using (var admin = world.Admin())
        {
            Assert.Single(await admin.ReadAuditAsync(), e => e.Action == "attest");
            await admin.SetPolicyAsync("default", original);
        }

        // A caller after a failed attestation starts a new one.
        await session.EnsureAttestedAsync();
        Assert.Equal(TeeType.Sim, session.Claims?.Tee);
    }

    [Fact]
    public async Task Start_BrokerDown_RetriesForTheConfiguredTimeThenFailsAtConnect()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        var closed = new Uri($"https://localhost:{FreePort()}");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ConfidentialStartException>(() =>
            ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement), closed, TimeSpan.FromSeconds(2))));

        Assert.Equal(ConfidentialStartStep.Connect, error.Step);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
        Assert.Contains("Cannot reach the key broker", error.Message, StringComparison.Ordinal);
        Assert.Contains("--broker-timeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_TamperedSealedModel_FailsAtUnsealNamingTheFile()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        var sealedFile = Directory.GetFiles(Path.Combine(world.BasePath, "1"), "*.sealed").Single();
        var bytes = await File.ReadAllBytesAsync(sealedFile);
        bytes[^20] ^= 0x01;
        await File.WriteAllBytesAsync(sealedFile, bytes);

        var error = await Assert.ThrowsAsync<ConfidentialStartException>(() =>
            ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement))));

        Assert.Equal(ConfidentialStartStep.Unseal, error.Step);
        Assert.Contains("model.onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ManifestSignedByAnotherOwner_FailsAtVerify()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        using var stranger = Mantle.Sealing.Keys.OwnerSigningKey.Generate();
        Directory.Delete(Path.Combine(world.BasePath, "1"), recursive: true);
        await world.Owner.SealAsync(world.BasePath, 1, TestModels.MatMulAdd([7, 7]), "mm", stranger);

        var error = await Assert.ThrowsAsync<ConfidentialStartException>(() =>
            ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement))));

        Assert.Equal(ConfidentialStartStep.Verify, error.Step);
    }

    [Fact]
    public async Task Serving_KeyRevokedAtTheBroker_UnloadsTheVersionsSealedWithIt()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement)));
        using var http = new HttpClient(world.ClientHandler()) { BaseAddress = new Uri($"https://localhost:{server.Server.RestPort}") };
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/v2/models/mm/infer", InferBody)).StatusCode);

        Assert.Empty(await server.CheckKeysAsync());
        using (var admin = world.Admin())
        {
            await admin.RevokeResourceAsync(KbsProtocol.ModelKeyPath(world.Owner.Key.Id));
        }

        var unloaded = await server.CheckKeysAsync();

        Assert.Equal(["mm:1"], unloaded);
        using var refused = await http.PostAsJsonAsync("/v2/models/mm/infer", InferBody);
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        var status = server.Server.Repository.GetStatus("mm").Single();
        Assert.Contains("no longer released", status.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Serving_CertificateNearExpiry_IsRenewedAndOpenConnectionsKeepWorking()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement), time: time));
        var first = server.Certificates!.Current;
        var firstSerial = first.SerialNumber;
        using var open = new HttpClient(world.ClientHandler()) { BaseAddress = new Uri($"https://localhost:{server.Server.RestPort}") };
        Assert.Equal(HttpStatusCode.OK, (await open.GetAsync("/v2/health/ready")).StatusCode);

        // Past two thirds of the 24 h lifetime: the source issues a new certificate for new handshakes.
        time.Advance(TimeSpan.FromHours(17));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (ReferenceEquals(server.Certificates.Current, first) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var renewed = server.Certificates.Current;
        Assert.NotEqual(firstSerial, renewed.SerialNumber);
        Assert.Equal(1, ((RenewingCertificateSource)server.Certificates).Renewals);
        Assert.Equal(HttpStatusCode.OK, (await open.GetAsync("/v2/health/ready")).StatusCode);
        using var fresh = new HttpClient(world.ClientHandler()) { BaseAddress = new Uri($"https://localhost:{server.Server.RestPort}") };
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/v2/health/ready")).StatusCode);
    }

    private static byte[] FloatBytes(params float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
