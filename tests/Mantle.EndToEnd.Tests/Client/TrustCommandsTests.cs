using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mantle.Attestation.Policy;
using Mantle.Client.Tests.Trust;
using Mantle.KeyBroker;

namespace Mantle.EndToEnd.Tests.Client;

/// <summary><c>mantle verify</c>, and <c>infer</c> / <c>bench</c> with trust options, against real Kestrel TLS servers on loopback.</summary>
public sealed class TrustCommandsTests : IDisposable
{
    private static readonly X509Certificate2 Ca = TestCertificates.CreateCa("Mantle Test Broker CA");
    private readonly string _folder = Directory.CreateTempSubdirectory("mantle-e2e-trust-").FullName;
    private readonly SimAttestation _sim;

    public TrustCommandsTests()
    {
        _sim = new SimAttestation(PathOf("sim-key.pem"));
        TestCertificates.WritePem(Ca, PathOf("ca.crt"));
        File.WriteAllText(PathOf("policy.json"), SimAttestation.PolicyJson);
    }

    public void Dispose()
    {
        _sim.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Verify_RaTlsServerSatisfyingPolicy_ExitsZeroWithJson()
    {
        using var raTls = await _sim.RaTlsCertificateAsync();
        await using var server = await TlsServer.StartAsync(raTls);

        var (exit, stdout, stderr) = await MantleProcess.RunAsync("verify", "--url", Target(server), "--policy", PathOf("policy.json"), "--sim-key", PathOf("sim-key.pem"), "--json");

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("verified").GetBoolean());
        Assert.Equal("sim", root.GetProperty("tee").GetString());
        Assert.Equal("UpToDate", root.GetProperty("tcb_status").GetString());
        Assert.True(root.GetProperty("policy").GetProperty("allowed").GetBoolean());
        var proved = root.GetProperty("server");
        Assert.Equal("ra-tls", proved.GetProperty("mode").GetString());
        Assert.Equal(SimAttestation.MeasurementHex, proved.GetProperty("measurement").GetString());
        Assert.False(proved.GetProperty("debug").GetBoolean());
        Assert.Equal("CN=mantle-ratls", proved.GetProperty("subject").GetString());
        Assert.Equal("localhost", proved.GetProperty("subject_alternative_names")[0].GetString());
        Assert.True(proved.GetProperty("not_after").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Verify_AuditorSignedPolicy_TrustsOnlyThatAuditor()
    {
        using var auditor = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        File.WriteAllText(PathOf("policy.jws"), SignedPolicy.Sign(SimAttestation.PolicyJson, auditor));
        File.WriteAllText(PathOf("auditor.pub"), auditor.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(PathOf("other.pub"), other.ExportSubjectPublicKeyInfoPem());
        using var raTls = await _sim.RaTlsCertificateAsync();
        await using var server = await TlsServer.StartAsync(raTls);
        string[] common = ["verify", "--url", Target(server), "--signed-policy", PathOf("policy.jws"), "--sim-key", PathOf("sim-key.pem")];

        var trusted = await MantleProcess.RunAsync([.. common, "--auditor-key", PathOf("auditor.pub")]);
        var otherAuditor = await MantleProcess.RunAsync([.. common, "--auditor-key", PathOf("other.pub")]);

        Assert.True(trusted.ExitCode == 0, trusted.Stderr);
        Assert.Contains("ra-tls", trusted.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, otherAuditor.ExitCode);
        Assert.Contains(SignedPolicy.KeyId(other), otherAuditor.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_RaTlsEvidenceFailsPolicy_ExitsVerificationFailedNamingTheClaim()
    {
        using var raTls = await _sim.RaTlsCertificateAsync(SimAttestation.OtherMeasurement);
        await using var server = await TlsServer.StartAsync(raTls);

        var (exit, stdout, _) = await MantleProcess.RunAsync("verify", "--url", Target(server), "--policy", PathOf("policy.json"), "--sim-key", PathOf("sim-key.pem"), "--json");

        Assert.Equal(3, exit);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.False(root.GetProperty("verified").GetBoolean());
        Assert.Equal("refused", root.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("PolicyViolation", root.GetProperty("error").GetProperty("detail_code").GetString());
        Assert.Contains("fails the policy: claim 'measurement'", root.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("measurement", root.GetProperty("policy").GetProperty("failures")[0].GetProperty("claim").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("server").ValueKind);
    }

    [Fact]
    public async Task Verify_BrokerCertificate_PrintsTableWithClaims()
    {
        var claims = await _sim.ClaimsAsync();
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca, BrokerCertificateClaims.CreateExtensions(claims)));

        var (exit, stdout, stderr) = await MantleProcess.RunAsync("verify", "--url", Target(server), "--ca", PathOf("ca.crt"), "--policy", PathOf("policy.json"));

        Assert.True(exit == 0, stderr);
        Assert.Equal("", stdout);
        Assert.Contains("trusted: 127.0.0.1", stderr, StringComparison.Ordinal);
        Assert.Contains(SimAttestation.MeasurementHex[..16], stderr, StringComparison.Ordinal);
        Assert.Contains("CN=Mantle Test Broker CA", stderr, StringComparison.Ordinal);
        Assert.Contains("no security", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_CertificateFromAnotherCa_ExitsVerificationFailed()
    {
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(TestCertificates.CreateCa("Some Other CA")));

        var (exit, _, stderr) = await MantleProcess.RunAsync("verify", "--url", "https://" + Target(server), "--ca", PathOf("ca.crt"));

        Assert.Equal(3, exit);
        Assert.Contains("error: The server certificate (CN=localhost, issuer CN=Some Other CA) is not issued by the CA in ca.crt", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_NothingListening_ExitsRemoteErrorInPlainWords()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exit, stdout, _) = await MantleProcess.RunAsync("verify", "--url", $"127.0.0.1:{port}", "--ca", PathOf("ca.crt"), "--json");

        Assert.Equal(4, exit);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("unreachable", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains($"Cannot reach the server at https://127.0.0.1:{port}/: the connection was refused", json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PlainHttpServer_ExitsRemoteErrorSayingTlsFailed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var plain = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            _ = await stream.ReadAsync(new byte[1024]);
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        });

        var (exit, _, stderr) = await MantleProcess.RunAsync("verify", "--url", $"127.0.0.1:{port}", "--ca", PathOf("ca.crt"));

        listener.Stop();
        Assert.Equal(4, exit);
        Assert.Contains("the TLS handshake failed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_CertWithoutKey_IsUsageError()
    {
        var (exit, _, stderr) = await MantleProcess.RunAsync("verify", "--url", "127.0.0.1:1", "--ca", PathOf("ca.crt"), "--cert", PathOf("ca.crt"));

        Assert.Equal(2, exit);
        Assert.Contains("--cert and --key go together", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tfs-grpc")]
    [InlineData("kserve-rest")]
    public async Task Infer_RaTlsServerWithPolicy_VerifiesThenSends(string protocol)
    {
        using var raTls = await _sim.RaTlsCertificateAsync();
        await using var server = await TlsServer.StartAsync(raTls);

        var (exit, stdout, stderr) = await MantleProcess.RunAsync("infer", "--url", Target(server), "--model", "adder", "--protocol", protocol,
            "--policy", PathOf("policy.json"), "--sim-key", PathOf("sim-key.pem"), "--json");

        Assert.True(exit == 0, stderr);
        Assert.Equal("y", JsonDocument.Parse(stdout).RootElement.GetProperty("outputs")[0].GetProperty("name").GetString());
        Assert.True(server.Requests > 0);
    }

    [Fact]
    public async Task Infer_RaTlsEvidenceFailsPolicy_RefusesBeforeAnyRequest()
    {
        using var raTls = await _sim.RaTlsCertificateAsync(SimAttestation.OtherMeasurement);
        await using var server = await TlsServer.StartAsync(raTls);

        var (exit, _, stderr) = await MantleProcess.RunAsync("infer", "--url", Target(server), "--model", "adder", "--protocol", "tfs-rest",
            "--policy", PathOf("policy.json"), "--sim-key", PathOf("sim-key.pem"));

        Assert.Equal(3, exit);
        Assert.Contains("error: The server's RA-TLS evidence fails the policy: claim 'measurement'", stderr, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Infer_MutualTlsWithoutClientCertificate_SaysToPassCertAndKey()
    {
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca), TestCertificates.CreateCa("Mantle Test Client CA"));

        var (exit, _, stderr) = await MantleProcess.RunAsync("infer", "--url", Target(server), "--model", "adder", "--protocol", "kserve-grpc", "--ca", PathOf("ca.crt"));

        Assert.Equal(3, exit);
        Assert.Contains("asked for a client certificate", stderr, StringComparison.Ordinal);
        Assert.Contains("--cert FILE --key FILE", stderr, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Bench_CaAndMutualTls_RunsTheLoad()
    {
        var clientCa = TestCertificates.CreateCa("Mantle Test Client CA");
        TestCertificates.WritePem(TestCertificates.IssueClient(clientCa, "requester"), PathOf("client.crt"), PathOf("client.key"));
        await using var server = await TlsServer.StartAsync(TestCertificates.IssueServer(Ca), clientCa);

        var (exit, stdout, stderr) = await MantleProcess.RunAsync("bench", "--url", Target(server), "--model", "adder", "--protocol", "tfs-grpc",
            "--ca", PathOf("ca.crt"), "--cert", PathOf("client.crt"), "--key", PathOf("client.key"), "--loop", "5", "--warmup", "1", "--json");

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(5, json.RootElement.GetProperty("requests").GetInt64());
        Assert.Equal(0, json.RootElement.GetProperty("errors").GetInt64());
    }

    [Fact]
    public async Task Infer_TrustOptionWithPlainHttpUrl_IsUsageError()
    {
        var (exit, _, stderr) = await MantleProcess.RunAsync("infer", "--url", "http://127.0.0.1:1", "--model", "adder", "--ca", PathOf("ca.crt"));

        Assert.Equal(2, exit);
        Assert.Contains("use https:// or HOST:PORT", stderr, StringComparison.Ordinal);
    }

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static string Target(TlsServer server) => $"127.0.0.1:{server.Port}";
}
