using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

public class IntelCollateralTests
{
    [Fact]
    public void Load_CombinedJson_ReadsBundle()
    {
        var bundle = IntelCollateral.Load(TestData.Path(IntelSamples.SgxCollateral));

        Assert.Equal("00A067110000", bundle.Fmspc);
        Assert.Equal("SGX", bundle.TcbInfoId);
        Assert.Equal(new DateTimeOffset(2025, 7, 19, 10, 1, 18, TimeSpan.Zero), bundle.NextUpdate);
    }

    [Fact]
    public void Load_FolderOfPcsFiles_AssemblesBundle()
    {
        var bundle = IntelCollateral.Load(IntelSamples.GoTdxFolder());

        Assert.Equal("50806F000000", bundle.Fmspc);
        Assert.Equal("TDX", bundle.TcbInfoId);
    }

    [Fact]
    public void Load_FolderSharedWithOtherTees_SkipsForeignFiles()
    {
        var folder = IntelSamples.GoTdxFolder();
        File.Copy(TestData.Path("snp/gosev_vcek_milan.der"), Path.Combine(folder, "vcek.der"), overwrite: true);
        File.Copy(TestData.Path("roots/amd_milan_ask_ark.pem"), Path.Combine(folder, "ask_ark.pem"), overwrite: true);
        File.Copy(TestData.Path("snp/gosev_attestation_milan.bin"), Path.Combine(folder, "report.bin"), overwrite: true);
        File.WriteAllText(Path.Combine(folder, "policy.json"), "{\"version\": 1}");

        var source = IntelOfflineCollateralSource.Load(folder);

        Assert.Equal("50806F000000", Assert.Single(source.Bundles).Fmspc);
    }

    [Fact]
    public async Task Load_FolderWithoutIntelCollateral_GivesEmptySourceAndClearRefusal()
    {
        var folder = Directory.CreateTempSubdirectory("mantle-collateral-").FullName;
        File.Copy(TestData.Path("snp/gosev_vcek_milan.der"), Path.Combine(folder, "vcek.der"));

        var source = IntelOfflineCollateralSource.Load(folder);
        var error = await Assert.ThrowsAsync<AttestationException>(() =>
            new SgxQuoteVerifier(new IntelQuoteVerifierOptions { CollateralSource = source, TimeProvider = FakeTime.At(IntelSamples.DcapQvlTime) })
                .VerifyAsync(TestData.Bytes(IntelSamples.SgxQuote)).AsTask());

        Assert.Empty(source.Bundles);
        Assert.Throws<AttestationException>(() => IntelCollateral.Load(folder));
        Assert.Contains("No Intel collateral for sgx FMSPC 00A067110000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyTrustedRoots_NamesOption()
    {
        var error = Assert.Throws<ArgumentException>(() => new SgxQuoteVerifier(new IntelQuoteVerifierOptions { TrustedRoots = [] }));

        Assert.Contains("IntelQuoteVerifierOptions.TrustedRoots", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FolderWithSeveralBundles_AsksForSource()
    {
        var folder = Directory.CreateTempSubdirectory("mantle-collateral-").FullName;
        File.Copy(TestData.Path(IntelSamples.SgxCollateral), Path.Combine(folder, "sgx.json"));
        File.Copy(TestData.Path(IntelSamples.TdxCollateral), Path.Combine(folder, "tdx.json"));

        var error = Assert.Throws<AttestationException>(() => IntelCollateral.Load(folder));
        var source = IntelOfflineCollateralSource.Load(folder);

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Equal(2, source.Bundles.Count);
    }

    [Fact]
    public async Task GetCollateralAsync_SeveralBundles_PicksByTeeAndFmspc()
    {
        var source = new IntelOfflineCollateralSource([IntelSamples.SgxCollateralBundle, IntelSamples.TdxCollateralBundle]);

        var tdx = await source.GetCollateralAsync(new IntelCollateralRequest(TeeType.Tdx, "B0C06F000000", "platform"));
        var sgx = await source.GetCollateralAsync(new IntelCollateralRequest(TeeType.Sgx, "00a067110000", "processor"));
        var none = await source.GetCollateralAsync(new IntelCollateralRequest(TeeType.Sgx, "B0C06F000000", "platform"));

        Assert.Same(IntelSamples.TdxCollateralBundle, tdx);
        Assert.Same(IntelSamples.SgxCollateralBundle, sgx);
        Assert.Null(none);
    }

    [Fact]
    public void Load_FolderMissingParts_ListsThem()
    {
        var folder = Directory.CreateTempSubdirectory("mantle-collateral-").FullName;
        File.Copy(TestData.Path("tdx/gotdx_tcbinfo_fmspc_50806f000000.json"), Path.Combine(folder, "tcb.json"));

        var error = Assert.Throws<AttestationException>(() => IntelCollateral.Load(folder));

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("QE identity JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("Intel SGX Root CA CRL", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("not json")]
    [InlineData("{\"tcb_info\": 5}")]
    public void FromCombinedJson_Malformed_RefusesCollateral(string json)
    {
        var error = Assert.Throws<AttestationException>(() => IntelCollateral.FromCombinedJson(System.Text.Encoding.UTF8.GetBytes(json)));

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
    }

    [Fact]
    public void Load_MissingPath_RefusesCollateral()
    {
        var error = Assert.Throws<AttestationException>(() => IntelCollateral.Load("/nonexistent/mantle/collateral"));

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
    }
}
