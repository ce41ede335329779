using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Mantle.KeyBroker.Client;
using Mantle.KeyBroker.Tests.Infrastructure;

namespace Mantle.KeyBroker.Tests.Protocol;

public sealed class ReleaseRefusalTests
{
    [Fact]
    public async Task Resource_PolicyRefusesMeasurement_Returns403NamingClaimAndAudits()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        await admin.PutResourceAsync("repo/key/strict", RandomNumberGenerator.GetBytes(32), Sim.MeasurementPolicy);
        using var attester = broker.Attester();
        await attester.AttestAsync(broker.Evidence(Sim.OtherMeasurement));

        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => attester.GetResourceAsync("repo/key/strict"));
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("claim 'measurement'", ex.Detail, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(Sim.OtherMeasurement), ex.Detail, StringComparison.Ordinal);

        var audit = await admin.ReadAuditAsync();
        Assert.Contains(audit, e => e.Action == "resource.release" && e.Subject == "repo/key/strict" && e.Outcome == "refused");
        Assert.True(AuditChain.Verify(audit).IsValid);
    }

    [Fact]
    public async Task Resource_Revoked_Returns403()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        await admin.PutResourceAsync("repo/key/gone", RandomNumberGenerator.GetBytes(32), TestBroker.SimPolicy);
        using var attester = broker.Attester();
        await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        await attester.GetResourceAsync("repo/key/gone");

        Assert.Equal(1, await admin.RevokeResourceAsync("repo/key/gone"));
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => attester.GetResourceAsync("repo/key/gone"));
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("revoked", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resource_Unknown_Returns404()
    {
        await using var broker = await TestBroker.StartAsync();
        using var attester = broker.Attester();
        await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => attester.GetResourceAsync("repo/key/none"));
        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Resource_TokenExpired_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        await admin.PutResourceAsync("repo/key/a", RandomNumberGenerator.GetBytes(32), TestBroker.SimPolicy);
        using var attester = broker.Attester();
        var token = await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        broker.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        using var http = broker.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/kbs/v0/resource/repo/key/a");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resource_NoCredentials_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var http = broker.Http();
        using var response = await http.GetAsync("/kbs/v0/resource/repo/key/a");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Resource_TamperedToken_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var attester = broker.Attester();
        var token = await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        var parts = token.Split('.');
        var payload = Jose.JWT.Payload(token).Replace("\"debug\":false", "\"debug\":true", StringComparison.Ordinal);
        var forged = parts[0] + "." + Jose.Base64Url.Encode(System.Text.Encoding.UTF8.GetBytes(payload)) + "." + parts[2];

        using var http = broker.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/kbs/v0/resource/repo/key/a");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", forged);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("signature", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resource_TokenOfAnotherKeyWithSession_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        await admin.PutResourceAsync("repo/key/a", RandomNumberGenerator.GetBytes(32), TestBroker.SimPolicy);
        using var other = broker.Attester();
        var otherToken = await other.AttestAsync(broker.Evidence(Sim.GoodMeasurement));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        var nonce = await RawKbs.AuthAsync(http);
        var evidence = await broker.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(KbsProtocol.ReportData(nonce, RawKbs.Thumbprint(key)));
        (await RawKbs.AttestAsync(http, RawKbs.Jwk(key), evidence)).EnsureSuccessStatusCode();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/kbs/v0/resource/repo/key/a");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", otherToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("another TEE key", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_CsrForAnotherKey_Returns403()
    {
        await using var broker = await TestBroker.StartAsync();
        using var attester = broker.Attester();
        await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => attester.SendCsrAsync(KeyBrokerClient.CreateCsr(otherKey, ["localhost"])));
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("not the attested TEE key", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_DnsNameNotAllowed_Returns403()
    {
        await using var broker = await TestBroker.StartAsync();
        using var attester = broker.Attester();
        await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => attester.RequestCertificateAsync(["bank.example.com"]));
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("'bank.example.com' is not allowed", ex.Detail, StringComparison.Ordinal);

        using var admin = broker.Admin();
        await admin.SetPolicyAsync("certificate", """{"dns_names": ["*.example.com"]}""");
        var pem = await attester.RequestCertificateAsync(["bank.example.com"]);
        Assert.Contains("BEGIN CERTIFICATE", pem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_WithoutToken_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var http = broker.Http();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var response = await http.PostAsync("/kbs/v0/certificate", System.Net.Http.Json.JsonContent.Create(new { csr = KeyBrokerClient.CreateCsr(key, ["localhost"]) }));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
