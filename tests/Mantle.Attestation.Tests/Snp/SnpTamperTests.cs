namespace Mantle.Attestation.Tests.Snp;

public sealed class SnpTamperTests
{
    [Fact]
    public async Task VerifyAsync_AnyFlippedByteInSignedRegionOrSignature_Refuses()
    {
        var verifier = SnpSamples.Verifier();
        var original = SnpSamples.Report;
        await verifier.VerifyAsync(original);
        var offsets = Enumerable.Range(0, 0x2A0).Concat(Enumerable.Range(0x2A0, 48)).Concat(Enumerable.Range(0x2E8, 48));
        var accepted = new List<int>();
        var codes = new Dictionary<AttestationErrorCode, int>();

        foreach (var offset in offsets)
        {
            var tampered = (byte[])original.Clone();
            tampered[offset] ^= 0x01;
            try
            {
                await verifier.VerifyAsync(tampered);
                accepted.Add(offset);
            }
            catch (AttestationException ex)
            {
                codes[ex.Code] = codes.GetValueOrDefault(ex.Code) + 1;
            }
        }

        Assert.Empty(accepted);
        Assert.True(codes[AttestationErrorCode.InvalidSignature] > 0x2A0 - 16, string.Join(", ", codes));
    }

    [Theory]
    [InlineData(0x2A0 + 48)]
    [InlineData(0x2A0 + 71)]
    [InlineData(0x2E8 + 48)]
    [InlineData(0x330)]
    [InlineData(0x49F)]
    public async Task VerifyAsync_NonZeroUnsignedSignatureArea_RefusesAsMalformed(int offset)
    {
        var tampered = SnpSamples.Report;
        tampered[offset] = 0x80;

        var error = await Assert.ThrowsAsync<AttestationException>(() => SnpSamples.Verifier().VerifyAsync(tampered).AsTask());

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
    }

    [Fact]
    public async Task VerifyAsync_TamperedVcek_RefusesChain()
    {
        var vcek = SnpSamples.Vcek;
        vcek[vcek.Length - 10] ^= 0x01;

        var error = await Assert.ThrowsAsync<AttestationException>(() => SnpSamples.Verifier(collateral: vcek).VerifyAsync(SnpSamples.Report).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
    }
}
