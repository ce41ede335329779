using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

public class IntelLoggingTests
{
    [Fact]
    public async Task VerifyAsync_VerifiedAndRefused_LogOneEventEach()
    {
        var logs = new LogCapture();
        var verifier = new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle), logs.CreateLogger<SgxQuoteVerifier>());
        var quote = TestData.Bytes(IntelSamples.SgxQuote);

        await verifier.VerifyAsync(quote);
        quote[100] ^= 0xFF;
        await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(quote).AsTask());

        Assert.Equal([4201, 4202], logs.Entries.Select(e => e.EventId));
        Assert.Contains("00a067110000", logs.Entries[0].Message, StringComparison.Ordinal);
        Assert.Contains("quote signature", logs.Entries[1].Message, StringComparison.Ordinal);
        var attestationKey = Convert.ToHexString(quote.AsSpan(436 + 64, 64));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(attestationKey, StringComparison.OrdinalIgnoreCase));
    }
}
