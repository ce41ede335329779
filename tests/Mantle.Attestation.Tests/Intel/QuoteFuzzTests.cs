using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mantle.Attestation.Intel;
using TestData = Mantle.Testing.TestData;

namespace Mantle.Attestation.Tests.Intel;

/// <summary>Truncated, mutated and random input only ever ends in <see cref="AttestationException"/>, quickly.</summary>
public class QuoteFuzzTests
{
    private static readonly byte[] Sgx = TestData.Bytes(IntelSamples.SgxQuote);
    private static readonly byte[] Tdx = TestData.Bytes(IntelSamples.TdxQuote);

    private static readonly IEvidenceVerifier SgxVerifier = new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle));
    private static readonly IEvidenceVerifier TdxVerifier = new TdxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.TdxCollateralBundle));

    [Fact]
    public async Task VerifyAsync_EveryTruncation_ThrowsOnlyAttestationException()
    {
        foreach (var (quote, verifier) in new[] { (Sgx, SgxVerifier), (Tdx, TdxVerifier) })
        {
            var end = FirstUnsignedPadding(quote);
            for (var length = 0; length < end; length += length < 1200 ? 1 : 13)
            {
                await AssertRefusedQuickly(verifier, quote.AsMemory(0, length));
            }
        }
    }

    [Fact]
    public async Task VerifyAsync_SeededRandomMutations_ThrowOnlyAttestationException()
    {
        var random = new Random(4242);
        for (var round = 0; round < 400; round++)
        {
            var (source, verifier) = round % 2 == 0 ? (Sgx, SgxVerifier) : (Tdx, TdxVerifier);
            var quote = (byte[])source.Clone();
            var changes = random.Next(1, 8);
            for (var i = 0; i < changes; i++)
            {
                // Bias towards the header and length fields, where parsing decisions are made.
                var position = random.Next(3) == 0 ? random.Next(Math.Min(quote.Length, 1300)) : random.Next(quote.Length);
                quote[position] = (byte)random.Next(256);
            }

            await AssertRefusedQuickly(verifier, quote);
        }
    }

    [Property(MaxTest = 300)]
    public bool VerifyAsync_RandomBytesWithQuoteHeader_ThrowsOnlyAttestationException(byte[] tail, bool tdx)
    {
        var header = (tdx ? Tdx : Sgx).AsSpan(0, 48).ToArray();
        byte[] input = [.. header, .. tail ?? []];
        return Refused(tdx ? TdxVerifier : SgxVerifier, input);
    }

    [Property(MaxTest = 300)]
    public Property VerifyAsync_LengthFieldOverwritten_ThrowsOnlyAttestationException() =>
        Prop.ForAll(Gen.Choose(0, 1300).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (position, value) =>
        {
            var quote = (byte[])Sgx.Clone();
            BitConverter.TryWriteBytes(quote.AsSpan(Math.Min(position, quote.Length - 4)), value);
            return Refused(SgxVerifier, quote);
        });

    private static bool Refused(IEvidenceVerifier verifier, byte[] input)
    {
        try
        {
            verifier.VerifyAsync(input).AsTask().GetAwaiter().GetResult();
            return false;
        }
        catch (AttestationException)
        {
            return true;
        }
    }

    private static async Task AssertRefusedQuickly(IEvidenceVerifier verifier, ReadOnlyMemory<byte> input)
    {
        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(input).AsTask());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"a refusal took {stopwatch.Elapsed}");
    }

    private static int FirstUnsignedPadding(byte[] quote)
    {
        var signedEnd = Mantle.Attestation.Intel.Internal.DcapQuoteParser.Parse(quote).CertificationData;
        return System.Runtime.InteropServices.MemoryMarshal.TryGetArray(signedEnd, out var segment) ? segment.Offset + segment.Count : quote.Length;
    }
}
