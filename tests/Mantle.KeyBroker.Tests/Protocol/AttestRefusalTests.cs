using System.Net;
using System.Security.Cryptography;
using Mantle.KeyBroker.Client;
using Mantle.KeyBroker.Tests.Infrastructure;

namespace Mantle.KeyBroker.Tests.Protocol;

public sealed class AttestRefusalTests
{
    [Fact]
    public async Task Attest_NonceReused_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        var nonce = await RawKbs.AuthAsync(http);
        var evidence = await broker.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(KbsProtocol.ReportData(nonce, RawKbs.Thumbprint(key)));
        using var first = await RawKbs.AttestAsync(http, RawKbs.Jwk(key), evidence);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var second = await RawKbs.AttestAsync(http, RawKbs.Jwk(key), evidence);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Contains("already used", await RawKbs.ProblemDetailAsync(second), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attest_NonceExpired_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        var nonce = await RawKbs.AuthAsync(http);
        var evidence = await broker.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(KbsProtocol.ReportData(nonce, RawKbs.Thumbprint(key)));
        broker.Time.Advance(TimeSpan.FromSeconds(61));

        using var response = await RawKbs.AttestAsync(http, RawKbs.Jwk(key), evidence);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attest_NonceFromAnotherSession_Returns403()
    {
        await using var broker = await TestBroker.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var victim = broker.Http();
        using var attacker = broker.Http();
        var victimNonce = await RawKbs.AuthAsync(victim);
        await RawKbs.AuthAsync(attacker);
        var evidence = await broker.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(KbsProtocol.ReportData(victimNonce, RawKbs.Thumbprint(key)));

        using var response = await RawKbs.AttestAsync(attacker, RawKbs.Jwk(key), evidence);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("report data", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);

        using var admin = broker.Admin();
        var audit = await admin.ReadAuditAsync();
        Assert.Contains(audit, e => e.Action == "attest" && e.Subject == "evidence" && e.Outcome == "refused" && e.Details.Contains("not bound", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Attest_EvidenceFromAnUntrustedPlatform_Returns403AndIsAudited()
    {
        await using var broker = await TestBroker.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        using var stranger = Mantle.Attestation.Sim.SimulatedTee.CreateEphemeral();
        var nonce = await RawKbs.AuthAsync(http);
        var evidence = await new Mantle.Attestation.Sim.SimEvidenceProvider(stranger, new() { MeasurementOverride = Sim.GoodMeasurement })
            .GetEvidenceAsync(KbsProtocol.ReportData(nonce, RawKbs.Thumbprint(key)));

        using var response = await RawKbs.AttestAsync(http, RawKbs.Jwk(key), evidence);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("evidence was refused", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);
        using var admin = broker.Admin();
        var audit = await admin.ReadAuditAsync();
        var entry = Assert.Single(audit, e => e.Action == "attest");
        Assert.Equal(("evidence", "refused"), (entry.Subject, entry.Outcome));
        Assert.StartsWith("tee:", entry.Actor, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attest_NoSessionCookie_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        var evidence = await broker.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(new byte[64]);
        using var response = await RawKbs.AttestAsync(http, RawKbs.Jwk(key), evidence);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Attest_ReportDataBoundToAnotherKey_Returns403()
    {
        await using var broker = await TestBroker.StartAsync();
        using var boundKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var presentedKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        var nonce = await RawKbs.AuthAsync(http);
        var evidence = await broker.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(KbsProtocol.ReportData(nonce, RawKbs.Thumbprint(boundKey)));

        using var response = await RawKbs.AttestAsync(http, RawKbs.Jwk(presentedKey), evidence);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("not bound to this session and key", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attest_EvidenceSignedByUntrustedPlatform_Returns403()
    {
        await using var broker = await TestBroker.StartAsync();
        using var other = Mantle.Attestation.Sim.SimulatedTee.CreateEphemeral();
        using var attester = broker.Attester();
        var provider = new Mantle.Attestation.Sim.SimEvidenceProvider(other, new() { MeasurementOverride = Sim.GoodMeasurement });
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => attester.AttestAsync(provider));
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("InvalidSignature", ex.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("measurement")]
    [InlineData("debug")]
    [InlineData("tcb_status")]
    public async Task Attest_DefaultPolicyRefusesClaim_Returns403NamingClaim(string claim)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var policy = claim == "tcb_status"
            ? """{"version": 1, "tees": ["sim"], "tcb_status": ["SWHardeningNeeded"]}"""
            : Sim.MeasurementPolicy;
        await admin.SetPolicyAsync("default", policy);
        var provider = claim switch
        {
            "measurement" => broker.Evidence(Sim.OtherMeasurement),
            "debug" => broker.Evidence(Sim.GoodMeasurement, debug: true),
            _ => broker.Evidence(Sim.GoodMeasurement),
        };

        using var attester = broker.Attester();
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => attester.AttestAsync(provider));
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains($"claim '{claim}'", ex.Detail, StringComparison.Ordinal);

        var audit = await admin.ReadAuditAsync();
        Assert.Contains(audit, e => e.Action == "attest" && e.Outcome == "refused" && e.Details.Contains(claim, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Attest_DefaultPolicyWithoutSim_RefusesSimEvidence()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        await admin.SetPolicyAsync("default", """{"version": 1}""");
        using var attester = broker.Attester();
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement)));
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("claim 'tee'", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_OverRateLimit_Returns429()
    {
        await using var broker = await TestBroker.StartAsync(configure: o => o.RateLimitPermits = 3);
        using var http = broker.Http();
        for (var i = 0; i < 3; i++)
        {
            await RawKbs.AuthAsync(http);
        }

        using var response = await http.PostAsync("/kbs/v0/auth", new StringContent("""{"version":"0.1.0","tee":"sim"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.Contains("Retry-After"));
    }
}
