using System.Diagnostics;
using System.Formats.Asn1;
using System.Runtime.InteropServices;
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
    public async Task VerifyAsync_CorruptedCertificateTable_RefusedUnlessTheCertificateIsIntact()
    {
        // Nothing signs the certificate table: its 24-byte entries only say which certificate lies where, so a change
        // to them alone can at most lead the verifier to the same intact VCEK. AMD's signature covers the VCEK's
        // tbsCertificate, and the report's signature the VCEK's key, so any change to those or to AMD's signature must
        // be refused. The one part of the VCEK that no signature covers is its outer signatureAlgorithm: the verifier
        // requires RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48 and trailer 1 there, reads nothing else of it (not the
        // NULL parameters of the two hash identifiers, nor a trailer under another tag), and checks AMD's signature
        // with exactly those fixed parameters. A change there can therefore be refused or not, but never make another
        // key or signature acceptable. Evidence that verifies must give exactly the claims of the untouched evidence.
        var random = new Random(7);
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, SnpSamples.Vcek)]);
        var envelope = SnpEvidence.CreateEnvelope(SnpSamples.Report, table);
        var verifier = new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = FakeTime.At(SnpSamples.InWindow) });
        var expected = await verifier.VerifyAsync(envelope);
        var tableStart = SnpEvidence.EnvelopeHeaderLength + SnpEvidence.ReportLength;
        var certificateStart = envelope.Length - SnpSamples.Vcek.Length;
        var unsigned = OuterSignatureAlgorithm(SnpSamples.Vcek);
        var (certificateCorruptions, entryCorruptions) = (0, 0);
        for (var i = 0; i < 400; i++)
        {
            var corrupted = (byte[])envelope.Clone();
            var changed = new SortedSet<int>();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                var at = random.Next(tableStart, corrupted.Length);
                corrupted[at] ^= (byte)random.Next(1, 256);
                changed.Add(at);
            }

            changed.RemoveWhere(at => corrupted[at] == envelope[at]);
            if (changed.Count == 0)
            {
                continue;
            }

            var inCertificate = changed.Max >= certificateStart;
            if (inCertificate)
            {
                certificateCorruptions++;
            }
            else
            {
                entryCorruptions++;
            }

            AttestationClaims claims;
            try
            {
                claims = await verifier.VerifyAsync(corrupted);
            }
            catch (AttestationException)
            {
                continue;
            }

            Assert.False(
                changed.Any(at => at >= certificateStart && (at - certificateStart < unsigned.Start || at - certificateStart >= unsigned.End)),
                $"evidence whose VCEK was changed at envelope offsets {string.Join(", ", changed)} verified");
            Assert.Equal(expected.Measurement, claims.Measurement);
            Assert.Equal(expected.ReportData.ToArray(), claims.ReportData.ToArray());
            Assert.Equal(expected.TcbStatus, claims.TcbStatus);
            Assert.Equal(expected.Debug, claims.Debug);
        }

        // The seed reaches both kinds of corruption, so both rules above were exercised.
        Assert.True(certificateCorruptions > 0 && entryCorruptions > 0, $"{certificateCorruptions} certificate and {entryCorruptions} entry corruptions");
    }

    [Fact]
    public async Task VerifyAsync_UnreadableAskInCertificateTable_Refused()
    {
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.AskGuid, new byte[] { 0x30, 0x00 }), new(SnpEvidence.VcekGuid, SnpSamples.Vcek)]);
        var envelope = SnpEvidence.CreateEnvelope(SnpSamples.Report, table);
        var verifier = new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = FakeTime.At(SnpSamples.InWindow) });

        var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(envelope).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains(SnpEvidence.AskGuid.ToString(), error.Message, StringComparison.Ordinal);
    }

    /// <summary>Where, in a certificate's DER, its outer signatureAlgorithm (the one outside the signed tbsCertificate) lies.</summary>
    private static (int Start, int End) OuterSignatureAlgorithm(byte[] der)
    {
        var certificate = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        certificate.ReadEncodedValue();
        var algorithm = certificate.ReadEncodedValue();
        Assert.True(MemoryMarshal.TryGetArray(algorithm, out var segment) && segment.Array == der);
        return (segment.Offset, segment.Offset + segment.Count);
    }

    private static async Task AssertRefusedQuickly(SnpReportVerifier verifier, ReadOnlyMemory<byte> evidence)
    {
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(evidence).AsTask());
        Assert.True(watch.Elapsed < PerCallLimit, $"verification of {evidence.Length} bytes took {watch.Elapsed}");
    }
}
