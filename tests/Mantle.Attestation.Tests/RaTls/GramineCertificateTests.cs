using System.Security.Cryptography;
using Mantle.Attestation.Intel;
using Mantle.Attestation.Policy;
using Mantle.Attestation.RaTls;

namespace Mantle.Attestation.Tests.RaTls;

public class GramineCertificateTests
{
    private const string CertificateFile = "ratls/gramine-cert.pem";

    [Fact]
    public async Task VerifyAsync_GramineCertificate_ChecksBothBindings()
    {
        using var certificate = RaTlsVerifier.LoadCertificate(TestData.Bytes(CertificateFile));
        var reader = new UnverifiedSgxQuoteReader();

        var result = await new RaTlsVerifier(new EvidenceVerifier([reader]), FakeTime.At("2025-06-20T00:00:00Z")).VerifyAsync(certificate);

        Assert.True(result.HasEvidenceExtension);
        Assert.True(result.HasLegacyExtension);
        Assert.Equal(2, reader.Calls);
        Assert.Equal(TeeType.Sgx, result.Claims.Tee);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo())), result.PublicKeyHash);
        Assert.Null(result.Nonce);
    }

    [Fact]
    public async Task VerifyAsync_GramineCertificateAfter2030_IsRefused()
    {
        using var certificate = RaTlsVerifier.LoadCertificate(TestData.Bytes(CertificateFile));

        var error = await Assert.ThrowsAsync<AttestationException>(async () =>
            await new RaTlsVerifier(new EvidenceVerifier([new UnverifiedSgxQuoteReader()]), FakeTime.At("2031-06-01T00:00:00Z")).VerifyAsync(certificate));

        Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
    }

    [Fact]
    public async Task VerifyAsync_GramineQuotesSwapped_FailsBothBindings()
    {
        // Re-sign Gramine's extensions on a new key: each binding must now refuse.
        using var original = RaTlsVerifier.LoadCertificate(TestData.Bytes(CertificateFile));
        var evidenceValue = original.Extensions[RaTlsCertificate.EvidenceExtensionOid]!.RawData;
        var legacy = original.Extensions.First(e => e.Oid!.Value!.EndsWith("113741.1337.6", StringComparison.Ordinal));
        var verifier = new RaTlsVerifier(new EvidenceVerifier([new UnverifiedSgxQuoteReader()]));

        using var withEvidence = RaTlsCertificateTests.SelfSigned(new System.Security.Cryptography.X509Certificates.X509Extension(RaTlsCertificate.EvidenceExtensionOid, evidenceValue, false));
        using var withLegacy = RaTlsCertificateTests.SelfSigned(new System.Security.Cryptography.X509Certificates.X509Extension(RaTlsCertificate.LegacyQuoteExtensionOid, legacy.RawData, false));

        var first = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(withEvidence));
        var second = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(withLegacy));

        Assert.Equal(AttestationErrorCode.ReportDataMismatch, first.Code);
        Assert.Equal(AttestationErrorCode.ReportDataMismatch, second.Code);
        Assert.Contains("legacy", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_GramineCertificateAltered_FailsSelfSignature()
    {
        using var original = RaTlsVerifier.LoadCertificate(TestData.Bytes(CertificateFile));
        var der = original.RawData;
        var evidenceOid = new byte[] { 0x06, 0x06, 0x67, 0x81, 0x05, 0x05, 0x04, 0x09 };
        var at = der.AsSpan().IndexOf(evidenceOid);
        Assert.True(at > 0);
        var renamed = (byte[])der.Clone();
        renamed[at + 7] = 0x0A; // 2.23.133.5.4.10: no longer the evidence extension; the signature now fails

        using var altered = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(renamed);
        var error = await Assert.ThrowsAsync<AttestationException>(async () =>
            await new RaTlsVerifier(new EvidenceVerifier([new UnverifiedSgxQuoteReader()]), FakeTime.At("2025-06-20T00:00:00Z")).VerifyAsync(altered));

        Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
    }

    [Fact]
    public async Task VerifyAsync_GramineCertificateWithIntelVerifier_VerifiesBothQuotesToIntelRoot()
    {
        using var certificate = RaTlsVerifier.LoadCertificate(TestData.Bytes(CertificateFile));
        var options = new IntelQuoteVerifierOptions { TimeProvider = FakeTime.At("2025-06-20T00:00:00Z"), RequireCollateral = false };
        var verifier = new RaTlsVerifier(new EvidenceVerifier([new SgxQuoteVerifier(options)]), options.TimeProvider);

        var result = await verifier.VerifyAsync(certificate);

        Assert.True(result.HasEvidenceExtension);
        Assert.True(result.HasLegacyExtension);
        Assert.Equal(TeeType.Sgx, result.Claims.Tee);
        Assert.Equal("00606a000000", result.Claims.TeeClaims["sgx.fmspc"]);
        Assert.Equal(IntelTcbStatus.NotEvaluated, result.Claims.TcbStatus);
        Assert.Equal(result.Claims.Measurement, result.Claims.TeeClaims["sgx.mr_enclave"]);
    }

    [Fact]
    public async Task VerifyAsync_GramineCertificateWithIntelVerifier_DefaultPolicyRefusesUnevaluatedTcb()
    {
        using var certificate = RaTlsVerifier.LoadCertificate(TestData.Bytes(CertificateFile));
        var options = new IntelQuoteVerifierOptions { TimeProvider = FakeTime.At("2025-06-20T00:00:00Z"), RequireCollateral = false };
        var verifier = new RaTlsVerifier(new EvidenceVerifier([new SgxQuoteVerifier(options)]), options.TimeProvider);
        var accepting = AttestationPolicy.Parse("""{"version": 1, "tees": ["sgx"], "allow_debug": true, "tcb_status": ["NotEvaluated"]}""");

        var refused = await verifier.VerifyAsync(certificate, AttestationPolicy.Default);
        var allowed = await verifier.VerifyAsync(certificate, accepting);

        Assert.False(refused.Allowed);
        Assert.Contains(refused.Decision!.Failures, f => f.Claim == "tcb_status" && f.Actual == "'NotEvaluated'");
        Assert.True(allowed.Allowed, allowed.Decision!.Reason);
    }

    [Fact]
    public async Task VerifyAsync_GramineQuoteByteFlipped_IsRefusedByIntelVerifier()
    {
        using var original = RaTlsVerifier.LoadCertificate(TestData.Bytes(CertificateFile));
        var legacy = original.Extensions.First(e => e.Oid!.Value!.EndsWith("113741.1337.6", StringComparison.Ordinal)).RawData;
        // The re-signed certificate is valid from now, inside the PCK certificates' validity (2022–2029).
        var options = new IntelQuoteVerifierOptions { RequireCollateral = false };
        var verifier = new RaTlsVerifier(new EvidenceVerifier([new SgxQuoteVerifier(options)]));
        using (var unchanged = RaTlsCertificateTests.SelfSigned(new System.Security.Cryptography.X509Certificates.X509Extension(RaTlsCertificate.LegacyQuoteExtensionOid, legacy, false)))
        {
            var moved = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(unchanged));
            Assert.Equal(AttestationErrorCode.ReportDataMismatch, moved.Code);
        }

        // Re-sign a certificate whose legacy quote has one flipped byte in the enclave report (MRENCLAVE).
        var tampered = (byte[])legacy.Clone();
        tampered[48 + 64] ^= 1;
        using var certificate = RaTlsCertificateTests.SelfSigned(new System.Security.Cryptography.X509Certificates.X509Extension(RaTlsCertificate.LegacyQuoteExtensionOid, tampered, false));

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(certificate));

        Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
    }
}
