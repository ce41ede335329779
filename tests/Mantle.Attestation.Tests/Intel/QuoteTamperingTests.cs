using System.Diagnostics;
using Mantle.Attestation.Intel;
using Mantle.Attestation.Intel.Internal;

namespace Mantle.Attestation.Tests.Intel;

/// <summary>Every byte of the signed parts of real quotes matters: flipping any one of them is refused.</summary>
public class QuoteTamperingTests
{
    [Theory]
    [InlineData(IntelSamples.SgxQuote, TeeType.Sgx)]
    [InlineData(IntelSamples.TdxQuote, TeeType.Tdx)]
    public async Task VerifyAsync_AnyByteFlippedBeforePckChain_Refuses(string file, TeeType tee)
    {
        var original = TestData.Bytes(file);
        var bundle = tee == TeeType.Sgx ? IntelSamples.SgxCollateralBundle : IntelSamples.TdxCollateralBundle;
        IEvidenceVerifier verifier = tee == TeeType.Sgx
            ? new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, bundle))
            : new TdxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, bundle));
        await verifier.VerifyAsync(original);

        // Everything before the PCK chain is signed (header, body, QE report), a signature, a key bound by
        // the QE report, or a length/type field; the chain itself is covered by certificate signatures.
        var parsed = DcapQuoteParser.Parse(original);
        var end = parsed.CertificationData.Length > 0 ? IndexOf(original, parsed.CertificationData) : original.Length;
        Assert.True(end > 1000);
        var stopwatch = Stopwatch.StartNew();
        var codes = new HashSet<AttestationErrorCode>();
        var quote = (byte[])original.Clone();
        for (var i = 0; i < end; i++)
        {
            quote[i] ^= 0x01;
            try
            {
                await verifier.VerifyAsync(quote);
                Assert.Fail($"flipping byte {i} of {file} was not detected");
            }
            catch (AttestationException e)
            {
                codes.Add(e.Code);
            }

            quote[i] = original[i];
        }

        Assert.Contains(AttestationErrorCode.InvalidSignature, codes);
        Assert.Contains(AttestationErrorCode.MalformedEvidence, codes);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task VerifyAsync_PckChainBytesFlipped_Refuses()
    {
        var original = TestData.Bytes(IntelSamples.SgxQuote);
        var verifier = new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle));
        var start = IndexOf(original, DcapQuoteParser.Parse(original).CertificationData);

        // Every 7th byte of the PEM chain: base64 characters, line breaks and armour.
        var quote = (byte[])original.Clone();
        for (var i = start; i < original.Length; i += 7)
        {
            quote[i] ^= 0x01;
            try
            {
                await verifier.VerifyAsync(quote);
                Assert.Fail($"flipping byte {i} of the PCK chain was not detected");
            }
            catch (AttestationException)
            {
            }

            quote[i] = original[i];
        }
    }

    private static int IndexOf(byte[] quote, ReadOnlyMemory<byte> slice) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(slice, out var segment) ? segment.Offset : throw new InvalidOperationException();
}
