using System.Security.Cryptography;
using Mantle.Attestation.Snp;

namespace Mantle.Attestation.Tests.Snp;

/// <summary>AMD CRLs (signed by the ARK) revoking an ASK, with a stand-in PKI.</summary>
public sealed class SnpCrlTests(SnpTestPkiTests.Pkis pkis) : IClassFixture<SnpTestPkiTests.Pkis>
{
    private static readonly DateTimeOffset CrlIssued = TestAmdPki.InWindow.AddDays(-10);
    private readonly TestAmdPki _pki = pkis.Milan;

    [Fact]
    public async Task VerifyAsync_CrlRevokingAsk_RefusesAsRevoked()
    {
        var (evidence, folder) = Prepare(_pki.CreateCrl(revokeAsk: true, CrlIssued, CrlIssued.AddDays(30)), pem: false);
        try
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(folder).VerifyAsync(evidence).AsTask());

            Assert.Equal(AttestationErrorCode.Revoked, error.Code);
            Assert.Contains("is revoked", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_CurrentCrlWithoutAsk_Verifies()
    {
        var (evidence, folder) = Prepare(_pki.CreateCrl(revokeAsk: false, CrlIssued, CrlIssued.AddDays(30)), pem: true);
        try
        {
            var claims = await Verifier(folder, requireCrl: true).VerifyAsync(evidence);

            Assert.Equal("UpToDate", claims.TcbStatus);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_ExpiredCrl_RefusesCollateral()
    {
        var (evidence, folder) = Prepare(_pki.CreateCrl(revokeAsk: false, CrlIssued.AddDays(-60), CrlIssued.AddDays(-30)), pem: false);
        try
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(folder).VerifyAsync(evidence).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
            Assert.Contains("not at the verification time", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Constructor_TamperedCrl_RefusesCollateral()
    {
        var crl = _pki.CreateCrl(revokeAsk: false, CrlIssued, CrlIssued.AddDays(30));
        crl[^5] ^= 0x01;
        var (_, folder) = Prepare(crl, pem: false);
        try
        {
            var error = Assert.Throws<AttestationException>(() => Verifier(folder));

            Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_RequireCrlWithoutCrl_RefusesCollateral()
    {
        var (evidence, folder) = Prepare(null, pem: false);
        try
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(folder, requireCrl: true).VerifyAsync(evidence).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
            Assert.Contains("RequireCrl", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private (byte[] Evidence, string Folder) Prepare(byte[]? crl, bool pem)
    {
        var report = SnpSamples.Report;
        var (vcek, key) = _pki.IssueLeaf(report.AsSpan(0x1A0, 64), (2, 0, 5, 68, null));
        using (key)
        {
            var folder = Directory.CreateTempSubdirectory("mantle-crl-").FullName;
            File.WriteAllBytes(Path.Combine(folder, "vcek.der"), vcek);
            if (crl is not null)
            {
                if (pem)
                {
                    File.WriteAllText(Path.Combine(folder, "crl.pem"), PemEncoding.WriteString("X509 CRL", crl));
                }
                else
                {
                    File.WriteAllBytes(Path.Combine(folder, "crl.der"), crl);
                }
            }

            return (TestAmdPki.Sign(report, key), folder);
        }
    }

    private SnpReportVerifier Verifier(string collateral, bool requireCrl = false) => new(new SnpVerifierOptions
    {
        TimeProvider = FakeTime.At(TestAmdPki.InWindow),
        CollateralPath = collateral,
        RootsDirectory = _pki.RootsFolder,
        RequireCrl = requireCrl,
    });
}
