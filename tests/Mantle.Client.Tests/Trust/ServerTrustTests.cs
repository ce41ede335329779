using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;
using Mantle.Client.Trust;
using Mantle.KeyBroker;

namespace Mantle.Client.Tests.Trust;

public sealed class ServerTrustTests : IDisposable
{
    private static readonly X509Certificate2 Ca = TestCertificates.CreateCa("Mantle Test Broker CA");
    private static readonly X509Certificate2 OtherCa = TestCertificates.CreateCa("Some Other CA");
    private readonly SimAttestation _sim = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("mantle-trust-").FullName;

    public void Dispose()
    {
        _sim.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    public static TheoryData<InferenceProtocol> Protocols => new(Enum.GetValues<InferenceProtocol>());

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task CreateHandler_CertificateFromCa_InfersOverEachProtocol(InferenceProtocol protocol)
    {
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca));

        var outputs = await InferAsync(protocol, server, CaTrust());

        Assert.Equal([11f, 22f, 33f, 44f], Floats(outputs[0]));
        Assert.True(server.Requests > 0);
    }

    [Theory]
    [InlineData(InferenceProtocol.TfsRest)]
    [InlineData(InferenceProtocol.KServeGrpc)]
    public async Task CreateHandler_CertificateFromAnotherCa_RefusesBeforeAnyRequest(InferenceProtocol protocol)
    {
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(OtherCa));

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(protocol, server, CaTrust()));

        Assert.Equal(ServerVerificationFailure.UntrustedIssuer, error.Failure);
        Assert.Contains("is not issued by the CA in ca.crt", error.Message, StringComparison.Ordinal);
        Assert.Contains("CN=Some Other CA", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Theory]
    [InlineData(InferenceProtocol.KServeRest)]
    [InlineData(InferenceProtocol.TfsGrpc)]
    public async Task CreateHandler_ExpiredCertificate_RefusesBeforeAnyRequest(InferenceProtocol protocol)
    {
        var expired = TestCertificates.IssueServer(Ca, from: DateTimeOffset.UtcNow.AddDays(-3), lifetime: TimeSpan.FromDays(1));
        await using var server = await TlsServer.StartAsync(expired);

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(protocol, server, CaTrust()));

        Assert.Equal(ServerVerificationFailure.Expired, error.Failure);
        Assert.Contains($"expired on {expired.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task CreateHandler_CertificateForAnotherName_RefusesBeforeAnyRequest()
    {
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca, dnsName: "model.example"));

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(InferenceProtocol.TfsRest, server, CaTrust()));

        Assert.Equal(ServerVerificationFailure.NameMismatch, error.Failure);
        Assert.Contains("is for model.example, not for '127.0.0.1'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task CreateHandler_SelfSignedWithoutTrustSettings_RefusedBySystemRoots()
    {
        using var raTls = await _sim.RaTlsCertificateAsync();
        await using var server = await TlsServer.StartAsync(raTls);

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(InferenceProtocol.TfsRest, server, new ServerTrust()));

        Assert.Equal(ServerVerificationFailure.UntrustedIssuer, error.Failure);
        Assert.Contains("--ca FILE", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Theory]
    [InlineData(InferenceProtocol.TfsGrpc)]
    [InlineData(InferenceProtocol.KServeRest)]
    public async Task CreateHandler_BrokerClaimsSatisfyPolicy_Infers(InferenceProtocol protocol)
    {
        var claims = await _sim.ClaimsAsync();
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca, BrokerCertificateClaims.CreateExtensions(claims)));
        var trust = CaTrust();
        trust.Policy = SimAttestation.Policy;

        var outputs = await InferAsync(protocol, server, trust);

        Assert.Equal([11f, 22f, 33f, 44f], Floats(outputs[0]));
    }

    [Fact]
    public async Task CreateHandler_BrokerClaimsFailPolicy_RefusesWithClaimBeforeAnyRequest()
    {
        var claims = await _sim.ClaimsAsync(SimAttestation.OtherMeasurement);
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca, BrokerCertificateClaims.CreateExtensions(claims)));
        var trust = CaTrust();
        trust.Policy = SimAttestation.Policy;

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(InferenceProtocol.TfsRest, server, trust));

        Assert.Equal(ServerVerificationFailure.PolicyViolation, error.Failure);
        Assert.Contains($"claim 'measurement' is '{Convert.ToHexStringLower(SimAttestation.OtherMeasurement)}' but the policy expects '{SimAttestation.MeasurementHex}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("measurement", Assert.Single(error.Decision!.Failures).Claim);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task CreateHandler_CaCertificateWithoutClaimsAndPolicy_RefusesBeforeAnyRequest()
    {
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca));
        var trust = CaTrust();
        trust.Policy = SimAttestation.Policy;

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(InferenceProtocol.KServeGrpc, server, trust));

        Assert.Equal(ServerVerificationFailure.NoAttestationClaims, error.Failure);
        Assert.Contains("carries no attestation claims", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task CreateHandler_RaTlsEvidenceSatisfiesPolicy_InfersOverEachProtocol(InferenceProtocol protocol)
    {
        using var raTls = await _sim.RaTlsCertificateAsync();
        await using var server = await TlsServer.StartAsync(raTls);

        var outputs = await InferAsync(protocol, server, RaTlsTrust());

        Assert.Equal([11f, 22f, 33f, 44f], Floats(outputs[0]));
    }

    [Theory]
    [InlineData(InferenceProtocol.TfsGrpc)]
    [InlineData(InferenceProtocol.KServeRest)]
    public async Task CreateHandler_RaTlsEvidenceFailsPolicy_RefusesWithClaimBeforeAnyRequest(InferenceProtocol protocol)
    {
        using var raTls = await _sim.RaTlsCertificateAsync(SimAttestation.OtherMeasurement);
        await using var server = await TlsServer.StartAsync(raTls);

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(protocol, server, RaTlsTrust()));

        Assert.Equal(ServerVerificationFailure.PolicyViolation, error.Failure);
        Assert.StartsWith("The server's RA-TLS evidence fails the policy: claim 'measurement' is '" + Convert.ToHexStringLower(SimAttestation.OtherMeasurement) + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains("but the policy expects '" + SimAttestation.MeasurementHex + "'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task CreateHandler_RaTlsEvidenceOfUntrustedPlatform_RefusesBeforeAnyRequest()
    {
        using var other = new SimAttestation();
        using var raTls = await other.RaTlsCertificateAsync();
        await using var server = await TlsServer.StartAsync(raTls);

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(InferenceProtocol.TfsRest, server, RaTlsTrust()));

        Assert.Equal(ServerVerificationFailure.InvalidEvidence, error.Failure);
        Assert.Contains("platform key", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task CreateHandler_PolicyButOrdinaryCertificate_RefusesAsNotRaTls()
    {
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca));

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(InferenceProtocol.TfsRest, server, RaTlsTrust()));

        Assert.Equal(ServerVerificationFailure.InvalidEvidence, error.Failure);
        Assert.Contains("carries no RA-TLS evidence", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task CreateHandler_ExpiredRaTlsCertificate_RefusesBeforeAnyRequest()
    {
        var past = FakeTime.At(DateTimeOffset.UtcNow.AddDays(-10));
        using var raTls = await _sim.RaTlsCertificateAsync(options: new() { TimeProvider = past, Lifetime = TimeSpan.FromDays(2) });
        await using var server = await TlsServer.StartAsync(raTls);

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(InferenceProtocol.KServeRest, server, RaTlsTrust()));

        Assert.Equal(ServerVerificationFailure.Expired, error.Failure);
        Assert.Contains("expired on", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Theory]
    [InlineData(InferenceProtocol.TfsRest)]
    [InlineData(InferenceProtocol.TfsGrpc)]
    public async Task CreateHandler_MutualTlsWithClientCertificate_Infers(InferenceProtocol protocol)
    {
        var clientCa = TestCertificates.CreateCa("Mantle Test Client CA");
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca), clientCa);
        var certificate = Path.Combine(_folder, "client.crt");
        var key = Path.Combine(_folder, "client.key");
        TestCertificates.WritePem(TestCertificates.IssueClient(clientCa, "requester"), certificate, key);
        var trust = CaTrust();
        trust.ClientCertificate = ServerTrust.LoadClientCertificate(certificate, key);

        var outputs = await InferAsync(protocol, server, trust);

        Assert.Equal([11f, 22f, 33f, 44f], Floats(outputs[0]));
    }

    [Theory]
    [InlineData(InferenceProtocol.TfsRest)]
    [InlineData(InferenceProtocol.KServeGrpc)]
    public async Task CreateHandler_MutualTlsWithoutClientCertificate_ServerRefusesWithClearMessage(InferenceProtocol protocol)
    {
        var clientCa = TestCertificates.CreateCa("Mantle Test Client CA");
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca), clientCa);

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => InferAsync(protocol, server, CaTrust()));

        Assert.Equal(ServerVerificationFailure.ClientCertificateRequired, error.Failure);
        Assert.Contains("asked for a client certificate", error.Message, StringComparison.Ordinal);
        Assert.Contains("--cert FILE --key FILE", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task ServerVerifier_RaTlsServer_ReturnsClaimsAndCertificate()
    {
        using var raTls = await _sim.RaTlsCertificateAsync();
        await using var server = await TlsServer.StartAsync(raTls);

        var verified = await new ServerVerifier(RaTlsTrust()).VerifyAsync(server.Address);

        Assert.Equal(ServerTrustMode.RaTls, verified.Mode);
        Assert.Equal(Mantle.Attestation.TeeType.Sim, verified.Tee);
        Assert.Equal(SimAttestation.MeasurementHex, verified.Measurement);
        Assert.Equal("UpToDate", verified.TcbStatus);
        Assert.False(verified.Debug);
        Assert.True(verified.Decision!.Allowed);
        Assert.Equal("CN=mantle-ratls", verified.Subject);
        Assert.Equal(["localhost"], verified.SubjectAlternativeNames);
        Assert.Equal("h2", verified.ApplicationProtocol);
        Assert.False(verified.ClientCertificateRequested);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task ServerVerifier_BrokerCertificate_ExposesClaimsWithoutPolicy()
    {
        var claims = await _sim.ClaimsAsync();
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca, BrokerCertificateClaims.CreateExtensions(claims)));

        var verified = await new ServerVerifier(CaTrust()).VerifyAsync(server.Address);

        Assert.Equal(ServerTrustMode.CertificateAuthority, verified.Mode);
        Assert.Equal(SimAttestation.MeasurementHex, verified.Measurement);
        Assert.Null(verified.Decision);
        Assert.Equal("CN=Mantle Test Broker CA", verified.Issuer);
        Assert.Equal(["localhost", "127.0.0.1"], verified.SubjectAlternativeNames);
    }

    [Fact]
    public async Task ServerVerifier_MutualTlsServerWithoutClientCertificate_ReportsTheRequest()
    {
        var clientCa = TestCertificates.CreateCa("Mantle Test Client CA");
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca), clientCa);

        var verified = await new ServerVerifier(CaTrust()).VerifyAsync(server.Address);

        Assert.True(verified.ClientCertificateRequested);
        Assert.Equal("CN=localhost", verified.Subject);
    }

    [Fact]
    public async Task ServerVerifier_RefusedServer_ThrowsTheReason()
    {
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(OtherCa));

        var error = await Assert.ThrowsAsync<ServerVerificationException>(() => new ServerVerifier(CaTrust()).VerifyAsync(server.Address));

        Assert.Equal(ServerVerificationFailure.UntrustedIssuer, error.Failure);
    }

    [Fact]
    public async Task ServerVerifier_NothingListening_ThrowsConnectionRefused()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = await Assert.ThrowsAsync<SocketException>(() => new ServerVerifier(CaTrust()).VerifyAsync("127.0.0.1", port));

        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public void CreateHandler_ClientCertificateWithoutKey_IsRefused()
    {
        using var withoutKey = X509CertificateLoader.LoadCertificate(TestCertificates.IssueClient(Ca, "nokey").RawData);
        var trust = new ServerTrust { ClientCertificate = withoutKey };

        var error = Assert.Throws<ArgumentException>(trust.CreateHandler);

        Assert.Contains("no private key", error.Message, StringComparison.Ordinal);
    }

    private ServerTrust CaTrust()
    {
        var path = Path.Combine(_folder, "ca.crt");
        TestCertificates.WritePem(Ca, path);
        var trust = new ServerTrust();
        trust.AddCertificateAuthorities(path);
        return trust;
    }

    private ServerTrust RaTlsTrust() => new() { Policy = SimAttestation.Policy, EvidenceVerifier = _sim.Verifier() };

    private static async Task<IReadOnlyList<ClientTensor>> InferAsync(InferenceProtocol protocol, TlsServer server, ServerTrust trust)
    {
        using var client = InferenceClients.Create(protocol, server.Address, trust.CreateHandler());
        var input = new ClientTensor("x", TensorDataType.Float32, [1, 4], [.. new float[] { 10, 20, 30, 40 }.SelectMany(BitConverter.GetBytes)]);
        return await client.InferAsync("adder", [input]);
    }

    private static float[] Floats(ClientTensor tensor) =>
        Enumerable.Range(0, (int)tensor.ElementCount).Select(i => BitConverter.ToSingle(tensor.Data, i * 4)).ToArray();
}
