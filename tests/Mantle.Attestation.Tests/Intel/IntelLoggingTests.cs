using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

public class IntelLoggingTests
{
    [Fact]
    public async Task VerifyAsync_VerifiedAndRefused_LogOneEventEach()
    {
        var logger = new ListLogger<SgxQuoteVerifier>();
        var verifier = new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle), logger);
        var quote = TestData.Bytes(IntelSamples.SgxQuote);

        await verifier.VerifyAsync(quote);
        quote[100] ^= 0xFF;
        await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(quote).AsTask());

        Assert.Equal([4201, 4202], logger.Events.Select(e => e.Id.Id));
        Assert.Contains("00a067110000", logger.Events[0].Message, StringComparison.Ordinal);
        Assert.Contains("quote signature", logger.Events[1].Message, StringComparison.Ordinal);
        var attestationKey = Convert.ToHexString(quote.AsSpan(436 + 64, 64));
        Assert.DoesNotContain(logger.Events, e => e.Message.Contains(attestationKey, StringComparison.OrdinalIgnoreCase));
    }
}
