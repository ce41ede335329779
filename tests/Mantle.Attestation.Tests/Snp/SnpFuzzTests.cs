using System.Diagnostics;
using Mantle.Attestation.Snp;

namespace Mantle.Attestation.Tests.Snp;

/// <summary>Seeded random input: the verifier only ever throws <see cref="AttestationException"/> and never hangs.</summary>
public sealed class SnpFuzzTests
{
    private static readonly TimeSpan PerCallLimit = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task VerifyAsync_RandomBytes_OnlyAttestationException()
    {
        var random = new Random(4242);
        var verifier = SnpSamples.Verifier();
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 2600)];
            random.NextBytes(bytes);
            if (i % 3 == 0 && bytes.Length >= SnpEvidence.EnvelopeHeaderLength)
            {
                SnpEvidence.EnvelopeMagic.CopyTo(bytes);
            }

            await AssertRefusedQuickly(verifier, bytes);
        }
    }

    [Fact]
    public async Task VerifyAsync_RandomReportsWithValidHeader_OnlyAttestationException()
    {
        var random = new Random(1184);
        var verifier = SnpSamples.Verifier();
        for (var i = 0; i < 150; i++)
        {
            var bytes = new byte[SnpEvidence.ReportLength];
            random.NextBytes(bytes);
            bytes[0] = (byte)random.Next(2, 6);
            bytes[1] = bytes[2] = bytes[3] = 0;
            bytes[0x34] = 1;
            bytes[0x35] = bytes[0x36] = bytes[0x37] = 0;
            bytes.AsSpan(0x2A0 + 48, 24).Clear();
            bytes.AsSpan(0x2E8 + 48).Clear();

            await AssertRefusedQuickly(verifier, bytes);
        }
    }

    [Fact]
    public async Task VerifyAsync_EveryTruncationOfEnvelope_OnlyAttestationException()
    {
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, SnpSamples.Vcek)]);
        var envelope = SnpEvidence.CreateEnvelope(SnpSamples.Report, table);
        var verifier = new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = FakeTime.At(SnpSamples.InWindow) });
        await verifier.VerifyAsync(envelope);

        for (var length = 0; length < envelope.Length; length++)
        {
            await AssertRefusedQuickly(verifier, envelope.AsMemory(0, length));
        }
    }

    [Fact]
    public async Task VerifyAsync_CorruptedCertificateTable_OnlyAttestationException()
    {
        var random = new Random(7);
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.AskGuid, new byte[] { 0x30, 0x00 }), new(SnpEvidence.VcekGuid, SnpSamples.Vcek)]);
        var envelope = SnpEvidence.CreateEnvelope(SnpSamples.Report, table);
        var verifier = new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = FakeTime.At(SnpSamples.InWindow) });
        var tableStart = SnpEvidence.EnvelopeHeaderLength + SnpEvidence.ReportLength;
        for (var i = 0; i < 400; i++)
        {
            var corrupted = (byte[])envelope.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupted[random.Next(tableStart, corrupted.Length)] = (byte)random.Next(256);
            }

            try
            {
                await verifier.VerifyAsync(corrupted);
            }
            catch (AttestationException)
            {
            }
        }
    }

    private static async Task AssertRefusedQuickly(SnpReportVerifier verifier, ReadOnlyMemory<byte> evidence)
    {
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(evidence).AsTask());
        Assert.True(watch.Elapsed < PerCallLimit, $"verification of {evidence.Length} bytes took {watch.Elapsed}");
    }
}
