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

    [Fact]
    public async Task VerifyAsync_GramineRaTlsQuoteWithoutCollateral_VerifiesChainNotTcb()
    {
        var collection = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        collection.ImportFromPemFile(TestData.Path("ratls/gramine-cert.pem"));
        var certificate = collection[0];
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime);
        options.RequireCollateral = false;
        var verifier = new SgxQuoteVerifier(options);
        var quote = certificate.Extensions.Select(e => e.RawData).Single(raw => verifier.CanVerify(raw));

        var claims = await verifier.VerifyAsync(quote);

        Assert.Equal(IntelTcbStatus.NotEvaluated, claims.TcbStatus);
        Assert.Equal("00606a000000", claims.TeeClaims["sgx.fmspc"]);
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo())),
            Convert.ToHexStringLower(claims.ReportData.Span[..32]));
    }

    [Fact]
    public async Task VerifyAsync_SampleClaims_MatchQuoteBytes()
    {
        var claims = await new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle))
            .VerifyAsync(TestData.Bytes(IntelSamples.SgxQuote));

        Assert.Equal("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb", claims.Measurement);
        Assert.Equal("0500000000000000e700000000000000", claims.TeeClaims["sgx.attributes"]);
        Assert.Equal((long)claims.ProductId!.Value, claims.TeeClaims["sgx.isv_prod_id"]);
        Assert.Equal((long)claims.Svn!.Value, claims.TeeClaims["sgx.isv_svn"]);
        Assert.Equal(13L, claims.TeeClaims["sgx.pce_svn"]);
        Assert.Equal(3L, claims.TeeClaims["sgx.quote_version"]);
        var all = claims.ToDictionary();
        Assert.Equal("sgx", all["tee"]);
        Assert.Equal(claims.TcbStatus, all["tcb_status"]);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task VerifyAsync_Version4And5Layouts_Verify(int version)
    {
        var real = TestData.Bytes(IntelSamples.SgxQuote);
        using var pki = new TestIntelPki(TestIntelPki.RealPck(real));
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.SgxCollateralBundle));
        options.TrustedRoots = pki.Roots;
        var quote = pki.ResignQuote(real, signed =>
        {
            var header = signed[..48];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)version);
            return version == 4
                ? [.. header, .. signed[48..]]
                : [.. header, 1, 0, 0x80, 1, 0, 0, .. signed[48..]];
        });

        var verifier = new SgxQuoteVerifier(options);
        Assert.True(verifier.CanVerify(quote));
        var claims = await verifier.VerifyAsync(quote);

        Assert.Equal((long)version, claims.TeeClaims["sgx.quote_version"]);
        Assert.Equal(IntelTcbStatus.ConfigurationAndSWHardeningNeeded, claims.TcbStatus);
        Assert.StartsWith("Hello, world!", Encoding.ASCII.GetString(claims.ReportData.Span), StringComparison.Ordinal);
    }
}
