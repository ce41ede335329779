using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

/// <summary>Refusals on otherwise valid evidence: roots, revocation, collateral windows and mismatches.</summary>
public class IntelRefusalTests
{
    private static readonly byte[] SgxQuote = TestData.Bytes(IntelSamples.SgxQuote);
    private static readonly byte[] TdxQuote = TestData.Bytes(IntelSamples.TdxQuote);

    [Fact]
    public async Task VerifyAsync_TrustedRootIsAnotherCa_RefusesChain()
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(SgxQuote));
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle);
        options.TrustedRoots = pki.Roots;

        var error = await Assert.ThrowsAsync<AttestationException>(() => new SgxQuoteVerifier(options).VerifyAsync(SgxQuote).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
        Assert.Contains("trusted Intel SGX root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_TestPkiQuoteWithTestRoot_Verifies()
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(SgxQuote));
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.SgxCollateralBundle));
        options.TrustedRoots = pki.Roots;

        var claims = await new SgxQuoteVerifier(options).VerifyAsync(pki.ResignQuote(SgxQuote));

        Assert.Equal(IntelTcbStatus.ConfigurationAndSWHardeningNeeded, claims.TcbStatus);
    }

    [Fact]
    public async Task VerifyAsync_TestPkiQuoteWithBuiltInRoot_RefusesChain()
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(SgxQuote));
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.SgxCollateralBundle));

        var error = await Assert.ThrowsAsync<AttestationException>(() => new SgxQuoteVerifier(options).VerifyAsync(pki.ResignQuote(SgxQuote)).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
    }

    [Fact]
    public async Task VerifyAsync_PckSerialInPckCrl_RefusesAsRevoked()
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(SgxQuote));
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.SgxCollateralBundle, revokePck: true));
        options.TrustedRoots = pki.Roots;

        var error = await Assert.ThrowsAsync<AttestationException>(() => new SgxQuoteVerifier(options).VerifyAsync(pki.ResignQuote(SgxQuote)).AsTask());

        Assert.Equal(AttestationErrorCode.Revoked, error.Code);
        Assert.Contains("PCK CRL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_TcbInfoOfAnotherFmspc_RefusesCollateral()
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(SgxQuote));
        var collateral = pki.Collateral(IntelSamples.SgxCollateralBundle, s => s.Replace("\"fmspc\":\"00A067110000\"", "\"fmspc\":\"00A067110001\"", StringComparison.Ordinal));
        var options = new IntelQuoteVerifierOptions
        {
            TimeProvider = FakeTime.At(IntelSamples.DcapQvlTime),
            CollateralSource = new IntelOfflineCollateralSource([collateral]),
            TrustedRoots = pki.Roots,
        };

        var error = await Assert.ThrowsAsync<AttestationException>(() => new SgxQuoteVerifier(options).VerifyAsync(pki.ResignQuote(SgxQuote)).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("FMSPC 00A067110001", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_CollateralFromAnotherRoot_RefusesCollateral()
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(SgxQuote));
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.SgxCollateralBundle));
        options.TrustedRoots = [.. IntelRootCertificates.BuiltIn, pki.Root];

        var error = await Assert.ThrowsAsync<AttestationException>(() => new SgxQuoteVerifier(options).VerifyAsync(SgxQuote).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
    }

    [Theory]
    [InlineData("2025-06-18T00:00:00Z")]
    [InlineData("2025-07-20T00:00:00Z")]
    public async Task VerifyAsync_CollateralNotValidAtTime_RefusesCollateral(string at)
    {
        var options = IntelSamples.Options(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), IntelSamples.SgxCollateralBundle);

        var error = await Assert.ThrowsAsync<AttestationException>(() => new SgxQuoteVerifier(options).VerifyAsync(SgxQuote).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("verification time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_PckCertificateExpired_RefusesChain()
    {
        var options = IntelSamples.Options(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero));
        options.RequireCollateral = false;

        var error = await Assert.ThrowsAsync<AttestationException>(() => new SgxQuoteVerifier(options).VerifyAsync(SgxQuote).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
    }

    [Fact]
    public async Task VerifyAsync_TcbInfoTextAltered_RefusesSignature()
    {
        var real = IntelSamples.SgxCollateralBundle;
        var tcb = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(real.TcbInfoJson.Span)
            .Replace("\"tcbEvaluationDataNumber\":17", "\"tcbEvaluationDataNumber\":18", StringComparison.Ordinal));
        Assert.False(tcb.AsSpan().SequenceEqual(real.TcbInfoJson.Span));
        var altered = new IntelCollateral
        {
            TcbInfoJson = tcb, TcbInfoSignature = real.TcbInfoSignature, TcbInfoIssuerChain = real.TcbInfoIssuerChain,
            QeIdentityJson = real.QeIdentityJson, QeIdentitySignature = real.QeIdentitySignature, QeIdentityIssuerChain = real.QeIdentityIssuerChain,
            PckCrl = real.PckCrl, PckCrlIssuerChain = real.PckCrlIssuerChain, RootCaCrl = real.RootCaCrl,
        };

        var error = await Assert.ThrowsAsync<AttestationException>(() => new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, altered)).VerifyAsync(SgxQuote).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("TCB info signature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_SgxCollateralForTdxQuote_RefusesCollateral()
    {
        var error = await Assert.ThrowsAsync<AttestationException>(() =>
            new TdxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle)).VerifyAsync(TdxQuote).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
    }

    [Fact]
    public async Task VerifyAsync_NoCollateralWhenRequired_RefusesCollateral()
    {
        var error = await Assert.ThrowsAsync<AttestationException>(() =>
            new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime)).VerifyAsync(SgxQuote).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("FMSPC 00A067110000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_NoCollateralNotRequired_VerifiesWithoutTcbStatus()
    {
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime);
        options.RequireCollateral = false;

        var sgx = await new SgxQuoteVerifier(options).VerifyAsync(SgxQuote);
        var tdx = await new TdxQuoteVerifier(options).VerifyAsync(TdxQuote);

        Assert.Equal(IntelTcbStatus.NotEvaluated, sgx.TcbStatus);
        Assert.Equal(IntelTcbStatus.NotEvaluated, tdx.TcbStatus);
    }

    [Fact]
    public async Task VerifyAsync_DebugEnclave_ReportsDebug()
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(SgxQuote));
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.SgxCollateralBundle));
        options.TrustedRoots = pki.Roots;
        var quote = pki.ResignQuote(SgxQuote, signed =>
        {
            signed[48 + 48] |= 0x02;
            return signed;
        });

        var claims = await new SgxQuoteVerifier(options).VerifyAsync(quote);

        Assert.True(claims.Debug);
        Assert.Equal(true, claims.TeeClaims["sgx.debug"]);
    }

    [Fact]
    public async Task VerifyAsync_DebugTd_ReportsDebug()
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(TdxQuote), "Test SGX PCK Platform CA");
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.TdxCollateralBundle));
        options.TrustedRoots = pki.Roots;
        var quote = pki.ResignQuote(TdxQuote, signed =>
        {
            signed[48 + 120] |= 0x01;
            return signed;
        });

        var claims = await new TdxQuoteVerifier(options).VerifyAsync(quote);

        Assert.True(claims.Debug);
        Assert.Equal(IntelTcbStatus.UpToDate, claims.TcbStatus);
    }

    [Fact]
    public void LoadFolder_PemRoots_ReadsEveryCertificate()
    {
        var folder = Directory.CreateTempSubdirectory("mantle-roots-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = new CertificateRequest("CN=Other Root", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.Copy(TestData.Path("roots/Intel_SGX_RootCA.pem"), Path.Combine(folder, "intel.pem"));
        File.WriteAllText(Path.Combine(folder, "other.crt"), other.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a certificate");

        var roots = IntelRootCertificates.LoadFolder(folder);

        Assert.Equal(2, roots.Count);
        Assert.Equal(IntelRootCertificates.BuiltIn[0].Thumbprint, roots[0].Thumbprint);
        Assert.Equal("44A0196B2B99F889B8E149E95B807A350E7424964399E885A7CBB8CCFAB674D3", Convert.ToHexString(SHA256.HashData(IntelRootCertificates.BuiltIn[0].RawData)));
    }

    [Fact]
    public void LoadFolder_EmptyFolder_Refuses()
    {
        var folder = Directory.CreateTempSubdirectory("mantle-roots-").FullName;

        var error = Assert.Throws<AttestationException>(() => IntelRootCertificates.LoadFolder(folder));

        Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
    }
}
