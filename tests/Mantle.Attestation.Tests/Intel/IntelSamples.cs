using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

/// <summary>The real Intel quotes of the shared test data, their collateral and the times at which they verify.</summary>
internal static class IntelSamples
{
    public const string SgxQuote = "sgx/dcapqvl_sgx_quote_v3.bin";
    public const string SgxCollateral = "sgx/dcapqvl_sgx_quote_v3_collateral.json";
    public const string TdxQuote = "tdx/dcapqvl_tdx_quote.bin";
    public const string TdxCollateral = "tdx/dcapqvl_tdx_quote_collateral.json";
    public const string GoTdxQuote = "tdx/gotdx_tdx_prod_quote_SPR_E4_v4.bin";

    public static readonly DateTimeOffset DcapQvlTime = new(2025, 6, 20, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset GoTdxTime = new(2023, 7, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<IntelCollateral> SgxBundle = new(() => IntelCollateral.Load(TestData.Path(SgxCollateral)));
    private static readonly Lazy<IntelCollateral> TdxBundle = new(() => IntelCollateral.Load(TestData.Path(TdxCollateral)));

    public static IntelCollateral SgxCollateralBundle => SgxBundle.Value;

    public static IntelCollateral TdxCollateralBundle => TdxBundle.Value;

    /// <summary>The separate gotdx PCS files, copied into a folder of their own (the shared folder also holds other bundles).</summary>
    public static string GoTdxFolder()
    {
        var folder = Directory.CreateTempSubdirectory("mantle-gotdx-").FullName;
        foreach (var name in new[] { "gotdx_tcbinfo_fmspc_50806f000000.json", "gotdx_qe_identity_tdqe.json", "gotdx_tcb_signing_chain.pem", "gotdx_pckcrl_platform.der", "gotdx_pckcrl_issuer_chain.pem", "gotdx_rootcrl.der" })
        {
            File.Copy(TestData.Path("tdx/" + name), Path.Combine(folder, name), overwrite: true);
        }

        return folder;
    }

    public static IntelQuoteVerifierOptions Options(DateTimeOffset at, params IntelCollateral[] bundles) => new()
    {
        TimeProvider = FakeTime.At(at),
        CollateralSource = bundles.Length == 0 ? null : new IntelOfflineCollateralSource(bundles),
    };
}
