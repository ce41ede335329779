using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mantle.Attestation.Snp;

namespace Mantle.Attestation.Tests.Snp;

public sealed class SnpReportVerifierTests
{
    [Fact]
    public async Task VerifyAsync_MilanSampleInWindow_ReturnsClaims()
    {
        var report = SnpSamples.Report;

        var claims = await SnpSamples.Verifier().VerifyAsync(report);

        Assert.Equal(TeeType.Snp, claims.Tee);
        Assert.Equal("UpToDate", claims.TcbStatus);
        var expectedReportData = new byte[64];
        new byte[] { 1, 2, 3, 4, 5 }.CopyTo(expectedReportData, 0);
        Assert.Equal(expectedReportData, claims.ReportData.ToArray());
        Assert.Equal(2L, claims.TeeClaims["snp.reported_tcb.bootloader"]);
        Assert.Equal(0L, claims.TeeClaims["snp.reported_tcb.tee"]);
        Assert.Equal(5L, claims.TeeClaims["snp.reported_tcb.snp"]);
        Assert.Equal(68L, claims.TeeClaims["snp.reported_tcb.microcode"]);
        Assert.Equal("Milan", claims.TeeClaims["snp.product"]);
        Assert.Equal("vcek", claims.TeeClaims["snp.signing_key"]);
        Assert.Equal(Convert.ToHexStringLower(report.AsSpan(0x90, 48)), claims.Measurement);
        Assert.Equal(claims.Measurement, claims.TeeClaims["snp.measurement"]);
        Assert.Equal(Convert.ToHexStringLower(report.AsSpan(0xC0, 32)), claims.TeeClaims["snp.host_data"]);
        Assert.Equal(BitConverter.ToInt64(report, 8), claims.TeeClaims["snp.policy"]);
        Assert.Equal((report[0x0A] & 0x08) != 0, claims.Debug);
        Assert.Equal(claims.Debug, claims.TeeClaims["snp.debug_allowed"]);
        Assert.Equal(BitConverter.ToInt32(report, 4), claims.Svn);
        Assert.Equal("snp", claims.ToDictionary()["tee"]);
    }

    [Fact]
    public async Task VerifyAsync_MilanSample_ChipIdIsTheVcekHardwareId()
    {
        using var vcek = X509CertificateLoader.LoadCertificate(SnpSamples.Vcek);
        var hardwareId = vcek.Extensions.First(e => e.Oid?.Value == "1.3.6.1.4.1.3704.1.4").RawData;

        var claims = await SnpSamples.Verifier().VerifyAsync(SnpSamples.Report);

        Assert.Equal(Convert.ToHexStringLower(hardwareId), claims.TeeClaims["snp.chip_id"]);
    }

    [Theory]
    [InlineData("2022-09-23T00:00:00Z")]
    [InlineData("2029-09-25T00:00:00Z")]
    public async Task VerifyAsync_TimeOutsideVcekValidity_Refuses(string at)
    {
        var verifier = SnpSamples.Verifier(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));

        var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(SnpSamples.Report).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("not at the verification time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_GenoaRootsOnly_RefusesChain()
    {
        var roots = Directory.CreateTempSubdirectory("mantle-genoa-").FullName;
        try
        {
            File.Copy(TestData.Path("roots/amd_genoa_ask_ark.pem"), Path.Combine(roots, "genoa.pem"));
            var verifier = SnpSamples.Verifier(roots: roots);

            var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(SnpSamples.Report).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
        }
        finally
        {
            Directory.Delete(roots, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_MilanRootsFolder_Verifies()
    {
        var roots = Directory.CreateTempSubdirectory("mantle-milan-").FullName;
        try
        {
            File.Copy(TestData.Path("roots/amd_milan_ask_ark.pem"), Path.Combine(roots, "milan.pem"));

            var claims = await SnpSamples.Verifier(roots: roots).VerifyAsync(SnpSamples.Report);

            Assert.Equal("Milan", claims.TeeClaims["snp.product"]);
        }
        finally
        {
            Directory.Delete(roots, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_NoVcekAnywhere_RefusesAndSaysWhatToSupply()
    {
        var verifier = new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = FakeTime.At(SnpSamples.InWindow) });

        var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(SnpSamples.Report).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("no VCEK certificate was found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_EnvelopeWithCertificateTable_VerifiesWithoutOtherCollateral()
    {
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, SnpSamples.Vcek)]);
        var evidence = SnpEvidence.CreateEnvelope(SnpSamples.Report, table);
        var verifier = new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = FakeTime.At(SnpSamples.InWindow) });

        Assert.True(verifier.CanVerify(evidence));
        var claims = await verifier.VerifyAsync(evidence);

        Assert.Equal("vcek", claims.TeeClaims["snp.signing_key"]);
    }

    [Fact]
    public async Task VerifyAsync_CertificateTableAsCollateral_Verifies()
    {
        var roots = TestData.Path("roots/amd_milan_ask_ark.pem");
        var ask = File.ReadAllText(roots);
        using var askCertificate = X509Certificate2.CreateFromPem(ask);
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.AskGuid, askCertificate.RawData), new(SnpEvidence.VcekGuid, SnpSamples.Vcek)]);

        var claims = await SnpSamples.Verifier(collateral: table).VerifyAsync(SnpSamples.Report);

        Assert.Equal("Milan", claims.TeeClaims["snp.product"]);
    }

    [Fact]
    public async Task VerifyAsync_PemCollateralInFolder_Verifies()
    {
        var folder = Directory.CreateTempSubdirectory("mantle-vcek-").FullName;
        try
        {
            var pem = PemEncoding.WriteString("CERTIFICATE", SnpSamples.Vcek);
            await File.WriteAllTextAsync(Path.Combine(folder, "vcek.pem"), pem, Encoding.ASCII);
            var verifier = new SnpReportVerifier(new SnpVerifierOptions
            {
                TimeProvider = FakeTime.At(SnpSamples.InWindow),
                CollateralPath = folder,
            });

            var claims = await verifier.VerifyAsync(SnpSamples.Report);

            Assert.Equal("UpToDate", claims.TcbStatus);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task VerifyAsync_CollateralFolderWithOtherFiles_SkipsThemAndVerifies()
    {
        var folder = Directory.CreateTempSubdirectory("mantle-mixed-").FullName;
        try
        {
            File.Copy(TestData.Path("sgx/dcapqvl_sgx_quote_v3_collateral.json"), Path.Combine(folder, "intel.json"));
            File.Copy(TestData.Path(SnpSamples.ReportPath), Path.Combine(folder, "report.bin"));
            File.Copy(TestData.Path("tdx/gotdx_rootcrl.der"), Path.Combine(folder, "intel-root.crl"));
            File.Copy(TestData.Path("tdx/gotdx_pckcrl_issuer_chain.pem"), Path.Combine(folder, "intel-chain.pem"));
            File.Copy(TestData.Path(SnpSamples.VcekPath), Path.Combine(folder, "vcek.der"));
            var verifier = new SnpReportVerifier(new SnpVerifierOptions
            {
                TimeProvider = FakeTime.At(SnpSamples.InWindow),
                CollateralPath = folder,
            });

            var claims = await verifier.VerifyAsync(SnpSamples.Report);

            Assert.Equal("vcek", claims.TeeClaims["snp.signing_key"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Constructor_CollateralFileThatIsNoCertificate_Refuses()
    {
        var options = new SnpVerifierOptions { CollateralPath = TestData.Path(SnpSamples.ReportPath) };

        var error = Assert.Throws<AttestationException>(() => new SnpReportVerifier(options));

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
    }

    [Fact]
    public void CanVerify_OtherEvidence_ReturnsFalse()
    {
        var verifier = SnpSamples.Verifier();

        Assert.True(verifier.CanVerify(SnpSamples.Report));
        Assert.False(verifier.CanVerify(TestData.Bytes("sgx/dcapqvl_sgx_quote_v3.bin")));
        Assert.False(verifier.CanVerify(TestData.Bytes("tdx/dcapqvl_tdx_quote.bin")));
        Assert.False(verifier.CanVerify(SnpSamples.Report.AsSpan(0, 1183)));
        Assert.False(verifier.CanVerify([]));
    }

    [Fact]
    public void Constructor_InvalidOptions_NamesEveryKey()
    {
        var options = new SnpVerifierOptions
        {
            RootsDirectory = "/nonexistent/roots",
            KdsBaseUrl = new Uri("ftp://example.invalid"),
            KdsTimeout = TimeSpan.Zero,
            Product = "Naples",
        };

        var error = Assert.Throws<ArgumentException>(() => new SnpReportVerifier(options));

        Assert.Contains("Attestation:Snp:RootsDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains("Attestation:Snp:KdsBaseUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains("Attestation:Snp:KdsTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("Attestation:Snp:Product", error.Message, StringComparison.Ordinal);
    }
}
