using System.Buffers.Binary;
using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

public class TdxQuoteVerifierTests
{
    [Fact]
    public async Task VerifyAsync_DcapQvlSampleAtManifestTime_ReturnsClaims()
    {
        var verifier = new TdxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.TdxCollateralBundle));
        var quote = TestData.Bytes(IntelSamples.TdxQuote);

        Assert.True(verifier.CanVerify(quote));
        var claims = await verifier.VerifyAsync(quote);

        Assert.Equal(TeeType.Tdx, claims.Tee);
        Assert.Equal(IntelTcbStatus.UpToDate, claims.TcbStatus);
        Assert.Empty(claims.AdvisoryIds);
        Assert.Equal("b0c06f000000", claims.TeeClaims["tdx.fmspc"]);
        Assert.Equal("91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7", claims.Measurement);
        Assert.Equal(claims.Measurement, claims.TeeClaims["tdx.mr_td"]);
        Assert.Equal("9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20", Convert.ToHexStringLower(claims.ReportData.Span));
        Assert.Equal("06010300000000000000000000000000", claims.TeeClaims["tdx.tee_tcb_svn"]);
        Assert.Equal(4L, claims.TeeClaims["tdx.quote_version"]);
        Assert.Null(claims.Signer);
        Assert.Null(claims.Svn);
        Assert.False(claims.Debug);
        foreach (var name in new[] { "tdx.rtmr0", "tdx.rtmr1", "tdx.rtmr2", "tdx.rtmr3", "tdx.mr_config_id", "tdx.mr_owner", "tdx.mr_owner_config" })
        {
            Assert.Equal(96, Assert.IsType<string>(claims.TeeClaims[name]).Length);
        }

        Assert.Equal(16, Assert.IsType<string>(claims.TeeClaims["tdx.td_attributes"]).Length);
        Assert.Equal(16, Assert.IsType<string>(claims.TeeClaims["tdx.xfam"]).Length);
    }

    /// <summary>
    /// The go-tdx-guest sample's PCK certificate has SGX TCB component 1 at SVN 3, below every level of its
    /// TCB info (5 and 5), so Intel's rules place it on no level: authentic evidence, unsupported TCB.
    /// </summary>
    [Fact]
    public async Task VerifyAsync_GoTdxSampleWithPcsFiles_ReportsTcbLevelNotSupported()
    {
        var source = IntelOfflineCollateralSource.Load(IntelSamples.GoTdxFolder());
        var verifier = new TdxQuoteVerifier(new IntelQuoteVerifierOptions { TimeProvider = FakeTime.At(IntelSamples.GoTdxTime), CollateralSource = source });

        var claims = await verifier.VerifyAsync(TestData.Bytes(IntelSamples.GoTdxQuote));

        Assert.Equal(IntelTcbStatus.TcbLevelNotSupported, claims.TcbStatus);
        Assert.Equal("50806f000000", claims.TeeClaims["tdx.fmspc"]);
        Assert.Equal("6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb", claims.Measurement);
        Assert.Equal("6c62dec1b8191749a31dab490be532a35944dea47caef1f980863993d9899545eb7406a38d1eed313b987a467dacead6f0c87a6d766c66f6f29f8acb281f1113", Convert.ToHexStringLower(claims.ReportData.Span));
        Assert.Equal(11L, claims.TeeClaims["tdx.pce_svn"]);
        Assert.False(claims.Debug);
    }

    [Fact]
    public async Task VerifyAsync_GoTdxSampleOutsideCollateralWindow_RefusesCollateral()
    {
        var source = IntelOfflineCollateralSource.Load(IntelSamples.GoTdxFolder());
        var verifier = new TdxQuoteVerifier(new IntelQuoteVerifierOptions { TimeProvider = FakeTime.At(new DateTimeOffset(2023, 8, 1, 0, 0, 0, TimeSpan.Zero)), CollateralSource = source });

        var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(TestData.Bytes(IntelSamples.GoTdxQuote)).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 584)]
    [InlineData(3, 648)]
    public async Task VerifyAsync_Version5Quote_VerifiesBodyOfItsType(int bodyType, int bodyLength)
    {
        var real = TestData.Bytes(IntelSamples.TdxQuote);
        using var pki = new TestIntelPki(TestIntelPki.RealPck(real), "Test SGX PCK Platform CA");
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.TdxCollateralBundle));
        options.TrustedRoots = pki.Roots;
        var quote = pki.ResignQuote(real, signed =>
        {
            var v5 = new byte[48 + 6 + bodyLength];
            signed.AsSpan(0, 48).CopyTo(v5);
            BinaryPrimitives.WriteUInt16LittleEndian(v5.AsSpan(0), 5);
            BinaryPrimitives.WriteUInt16LittleEndian(v5.AsSpan(48), (ushort)bodyType);
            BinaryPrimitives.WriteUInt32LittleEndian(v5.AsSpan(50), (uint)bodyLength);
            signed.AsSpan(48, 584).CopyTo(v5.AsSpan(54));
            if (bodyLength == 648)
            {
                v5.AsSpan(54 + 600, 48).Fill(0xAB);
            }

            return v5;
        });

        var verifier = new TdxQuoteVerifier(options);
        Assert.True(verifier.CanVerify(quote));
        var claims = await verifier.VerifyAsync(quote);

        Assert.Equal(5L, claims.TeeClaims["tdx.quote_version"]);
        Assert.Equal("9a9d48e7", Convert.ToHexStringLower(claims.ReportData.Span[..4]));
        Assert.Equal(IntelTcbStatus.UpToDate, claims.TcbStatus);
        Assert.Equal(bodyType == 3, claims.TeeClaims.ContainsKey("tdx.mr_service_td"));
        if (bodyType == 3)
        {
            Assert.Equal(new string('a', 1) + "b", ((string)claims.TeeClaims["tdx.mr_service_td"])[..2]);
        }
    }

    [Fact]
    public async Task VerifyAsync_SgxQuote_RefusesAsUnsupported()
    {
        var verifier = new TdxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.TdxCollateralBundle));
        var sgx = TestData.Bytes(IntelSamples.SgxQuote);

        Assert.False(verifier.CanVerify(sgx));
        var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(sgx).AsTask());
        Assert.Equal(AttestationErrorCode.Unsupported, error.Code);
    }

    [Fact]
    public void CanVerify_OtherEvidence_ReturnsFalse()
    {
        var verifier = new TdxQuoteVerifier(new IntelQuoteVerifierOptions());

        Assert.False(verifier.CanVerify(TestData.Bytes("snp/gosev_attestation_milan.bin")));
        Assert.False(verifier.CanVerify(new byte[10]));
        Assert.False(new SgxQuoteVerifier(new IntelQuoteVerifierOptions()).CanVerify(TestData.Bytes(IntelSamples.TdxQuote)));
    }
}
