using System.Security.Cryptography;
using Mantle.Attestation.Intel;
using Mantle.Attestation.RaTls;

namespace Mantle.Attestation.Tests.RaTls;

public class InteropCertificateTests
{
    private static byte[] Sample(string name) => TestData.Bytes("ratls/" + name);

    private static RaTlsVerifier IntelVerifier(string at)
    {
        var options = new IntelQuoteVerifierOptions { TimeProvider = FakeTime.At(at), RequireCollateral = false };
        return new RaTlsVerifier(new EvidenceVerifier([new SgxQuoteVerifier(options)]), options.TimeProvider);
    }

    [Fact]
    public async Task VerifyAsync_RatsTlsCertificate_VerifiesQuoteAndBinding()
    {
        using var certificate = RaTlsVerifier.LoadCertificate(Sample("rats-tls-cert.pem"));

        var result = await IntelVerifier("2023-06-01T00:00:00Z").VerifyAsync(certificate);

        Assert.True(result.HasEvidenceExtension);
        Assert.False(result.HasLegacyExtension);
        Assert.Equal(TeeType.Sgx, result.Claims.Tee);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo())), result.PublicKeyHash);
    }

    [Fact]
    public async Task VerifyAsync_RatsTlsCertificateAfterItExpired_IsRefused()
    {
        using var certificate = RaTlsVerifier.LoadCertificate(Sample("rats-tls-cert.pem"));

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await IntelVerifier("2024-06-01T00:00:00Z").VerifyAsync(certificate));

        Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
    }

    [Fact]
    public async Task VerifyAsync_IntelSgxSdkCertificate_VerifiesQuoteAndBinding()
    {
        using var certificate = RaTlsVerifier.LoadCertificate(Sample("intel-sgxsdk-cert.pem"));

        var result = await IntelVerifier("2024-06-01T00:00:00Z").VerifyAsync(certificate);

        Assert.True(result.HasEvidenceExtension);
        Assert.False(result.HasLegacyExtension);
        Assert.Equal(TeeType.Sgx, result.Claims.Tee);
        Assert.Equal(IntelTcbStatus.NotEvaluated, result.Claims.TcbStatus);
    }
}
