using System.Buffers.Binary;
using Mantle.Attestation.Intel;
using Mantle.Attestation.Intel.Internal;

namespace Mantle.Attestation.Tests.Intel;

public class DcapQuoteParserTests
{
    [Fact]
    public void Parse_RealQuotes_FindsEveryPart()
    {
        var sgx = DcapQuoteParser.Parse(TestData.Bytes(IntelSamples.SgxQuote));
        var tdx = DcapQuoteParser.Parse(TestData.Bytes(IntelSamples.TdxQuote));

        Assert.Equal((3, TeeType.Sgx, 432, 32, (ushort)5), (sgx.Version, sgx.Tee, sgx.SignedRegion.Length, sgx.QeAuthData.Length, sgx.CertificationDataType));
        Assert.Equal((4, TeeType.Tdx, 632, 32, (ushort)5), (tdx.Version, tdx.Tee, tdx.SignedRegion.Length, tdx.QeAuthData.Length, tdx.CertificationDataType));
        Assert.Equal(3548, sgx.CertificationData.Length);
        Assert.Equal(3678, tdx.CertificationData.Length);
    }

    [Theory]
    [InlineData(0, 2, "quote version 2")]
    [InlineData(2, 3, "attestation key type 3")]
    [InlineData(4, 0x7F, "TEE type 0x7f")]
    public void Parse_BadHeader_RefusesAsMalformedAndSaysWhy(int offset, int value, string expected)
    {
        var quote = TestData.Bytes(IntelSamples.SgxQuote);
        BinaryPrimitives.WriteUInt16LittleEndian(quote.AsSpan(offset), (ushort)value);

        var error = Assert.Throws<AttestationException>(() => DcapQuoteParser.Parse(quote));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Version5BodySizeMismatch_RefusesAsMalformed()
    {
        var real = TestData.Bytes(IntelSamples.TdxQuote);
        byte[] quote = [.. real[..48], 2, 0, 0x49, 2, 0, 0, .. real[48..]];
        BinaryPrimitives.WriteUInt16LittleEndian(quote, 5);

        var error = Assert.Throws<AttestationException>(() => DcapQuoteParser.Parse(quote));

        Assert.Contains("body size 585", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_CertificationDataNotPckChain_RefusesAsUnsupported()
    {
        var quote = TestData.Bytes(IntelSamples.SgxQuote);
        var parsed = DcapQuoteParser.Parse(quote);
        var typeOffset = 432 + 4 + 64 + 64 + 384 + 64 + 2 + parsed.QeAuthData.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(quote.AsSpan(typeOffset), 3);

        var error = await Assert.ThrowsAsync<AttestationException>(() =>
            new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle)).VerifyAsync(quote).AsTask());

        Assert.Equal(AttestationErrorCode.Unsupported, error.Code);
        Assert.Contains("certification data type is 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_QeVendorNotIntel_RefusesAsUnsupported()
    {
        var quote = TestData.Bytes(IntelSamples.SgxQuote);
        quote[12] ^= 0xFF;

        var error = await Assert.ThrowsAsync<AttestationException>(() =>
            new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle)).VerifyAsync(quote).AsTask());

        Assert.Equal(AttestationErrorCode.Unsupported, error.Code);
    }
}
