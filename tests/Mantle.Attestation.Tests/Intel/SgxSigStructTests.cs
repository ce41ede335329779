using System.Security.Cryptography;
using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

public class SgxSigStructTests
{
    private static readonly byte[] MrEnclave = SHA256.HashData("mantle serve under gramine-sgx"u8);

    [Fact]
    public void Parse_SignedSigStruct_ReadsTheIdentityAQuoteWillCarry()
    {
        var sig = SgxSigStruct.Parse(TestSigStruct.Build(MrEnclave, isvProdId: 7, isvSvn: 3));

        Assert.Equal(Convert.ToHexStringLower(MrEnclave), sig.MrEnclave);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(TestSigStruct.ModulusLittleEndian())), sig.MrSigner);
        Assert.Equal(7, sig.IsvProdId);
        Assert.Equal(3, sig.IsvSvn);
        Assert.False(sig.Debug);
        Assert.False(sig.IntelVendor);
        Assert.Equal(new DateOnly(2025, 6, 20), sig.Date);
        Assert.Equal("04000000000000000300000000000000", sig.Attributes);
        Assert.Equal("00000000", sig.MiscSelect);
    }

    [Fact]
    public void Parse_DebugAttributes_ReportsDebug()
    {
        Assert.True(SgxSigStruct.Parse(TestSigStruct.Build(MrEnclave, 1, 1, debug: true)).Debug);
    }

    [Fact]
    public void Parse_OtherSigner_GivesOtherMrSignerSameMrEnclave()
    {
        var mine = SgxSigStruct.Parse(TestSigStruct.Build(MrEnclave, 1, 1));
        var other = SgxSigStruct.Parse(TestSigStruct.Build(MrEnclave, 1, 1, otherSigner: true));

        Assert.Equal(mine.MrEnclave, other.MrEnclave);
        Assert.NotEqual(mine.MrSigner, other.MrSigner);
    }

    [Theory]
    [InlineData(1026)] // ISVSVN
    [InlineData(960)] // ENCLAVEHASH
    [InlineData(928)] // ATTRIBUTES (debug)
    [InlineData(20)] // DATE
    [InlineData(200)] // MODULUS: the signature no longer matches the key
    public void Parse_EditedAfterSigning_RefusedAsInvalidSignature(int offset)
    {
        var bytes = TestSigStruct.Build(MrEnclave, 1, 1);
        bytes[offset] ^= 0x02;

        var error = Assert.Throws<AttestationException>(() => SgxSigStruct.Parse(bytes));

        Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
        Assert.Contains("damaged or edited", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnsignedReservedBytes_StillVerify()
    {
        var bytes = TestSigStruct.Build(MrEnclave, 1, 1);
        bytes[1100] ^= 0xFF; // Q1: not covered by the signature

        Assert.Equal(Convert.ToHexStringLower(MrEnclave), SgxSigStruct.Parse(bytes).MrEnclave);
    }

    [Theory]
    [InlineData(1807)]
    [InlineData(1809)]
    [InlineData(0)]
    public void Parse_WrongLength_RefusedAsMalformed(int length)
    {
        var bytes = new byte[length];
        TestSigStruct.Build(MrEnclave, 1, 1).AsSpan(0, Math.Min(length, TestSigStruct.Length)).CopyTo(bytes);

        var error = Assert.Throws<AttestationException>(() => SgxSigStruct.Parse(bytes));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
        Assert.Contains("1808 bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4)] // HEADER
    [InlineData(28)] // HEADER2
    public void Parse_WrongHeader_RefusedAsMalformed(int offset)
    {
        var bytes = TestSigStruct.Build(MrEnclave, 1, 1);
        bytes[offset] ^= 0x10;

        var error = Assert.Throws<AttestationException>(() => SgxSigStruct.Parse(bytes));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
        Assert.Contains("header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExponentOtherThanThree_RefusedAsMalformed()
    {
        var bytes = TestSigStruct.Build(MrEnclave, 1, 1);
        bytes[512] = 0x01;
        bytes[514] = 0x01; // 65537

        var error = Assert.Throws<AttestationException>(() => SgxSigStruct.Parse(bytes));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
        Assert.Contains("exponent 65537", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NamesThePath()
    {
        var error = Assert.Throws<AttestationException>(() => SgxSigStruct.Load("/nonexistent/mantle.sig"));

        Assert.Contains("/nonexistent/mantle.sig", error.Message, StringComparison.Ordinal);
    }
}
