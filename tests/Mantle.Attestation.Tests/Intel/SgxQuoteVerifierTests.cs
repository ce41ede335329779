using System.Text;
using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

public class SgxQuoteVerifierTests
{
    [Fact]
    public async Task VerifyAsync_DcapQvlSampleAtManifestTime_ReturnsClaims()
    {
        var verifier = new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle));
        var quote = TestData.Bytes(IntelSamples.SgxQuote);

        Assert.True(verifier.CanVerify(quote));
        var claims = await verifier.VerifyAsync(quote);

        Assert.Equal(TeeType.Sgx, claims.Tee);
        Assert.Equal(IntelTcbStatus.ConfigurationAndSWHardeningNeeded, claims.TcbStatus);
        Assert.Equal("00a067110000", claims.TeeClaims["sgx.fmspc"]);
        Assert.Equal("0000", claims.TeeClaims["sgx.pce_id"]);
        Assert.StartsWith("Hello, world!", Encoding.ASCII.GetString(claims.ReportData.Span), StringComparison.Ordinal);
        Assert.False(claims.Debug);
        Assert.Equal(claims.Measurement, claims.TeeClaims["sgx.mr_enclave"]);
        Assert.Equal(claims.Signer, claims.TeeClaims["sgx.mr_signer"]);
        Assert.Equal(64, claims.Measurement.Length);
        Assert.NotEmpty(claims.AdvisoryIds);
        Assert.All(claims.AdvisoryIds, id => Assert.StartsWith("INTEL-SA-", id, StringComparison.Ordinal));
    }
}
