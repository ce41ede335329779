using System.Buffers.Binary;
using Mantle.Attestation.Snp;
using Mantle.Attestation.Snp.Internal;

namespace Mantle.Attestation.Tests.Snp;

public sealed class SnpEvidenceTests
{
    [Fact]
    public void ReadCertificateTable_RoundTrip_KeepsGuidsAndBytes()
    {
        byte[] first = [0x30, 1, 2];
        byte[] second = [0x30, 3, 4, 5];
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, first), new(SnpEvidence.AskGuid, second)]);

        var entries = SnpEvidenceReader.ReadCertificateTable(table);

        Assert.Equal([SnpEvidence.VcekGuid, SnpEvidence.AskGuid], entries.Select(e => e.Guid));
        Assert.Equal(first, entries[0].Der);
        Assert.Equal(second, entries[1].Der);
    }

    [Fact]
    public void CreateCertificateTable_WritesGuidInRfc4122ByteOrder()
    {
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, [0x30])]);

        Assert.Equal(Convert.FromHexString("63da758de6644564adc5f4b93be8accd"), table.AsSpan(0, 16).ToArray());
    }

    [Fact]
    public void ReadCertificateTable_EntryPointingOutside_RefusesAsMalformed()
    {
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, [0x30, 0x00])]);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(20), 1000);

        var error = Assert.Throws<AttestationException>(() => SnpEvidenceReader.ReadCertificateTable(table));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
    }

    [Fact]
    public void ReadCertificateTable_NoTerminator_RefusesAsMalformed()
    {
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, [0x30, 0x00])]);

        var error = Assert.Throws<AttestationException>(() => SnpEvidenceReader.ReadCertificateTable(table.AsSpan(0, 30)));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
    }

    [Fact]
    public async Task VerifyAsync_EnvelopeWithTrailingByte_RefusesAsMalformed()
    {
        var envelope = SnpEvidence.CreateEnvelope(SnpSamples.Report, SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, SnpSamples.Vcek)]));
        var longer = envelope.Append((byte)0).ToArray();

        var error = await Assert.ThrowsAsync<AttestationException>(() => SnpSamples.Verifier().VerifyAsync(longer).AsTask());

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
    }

    [Fact]
    public async Task VerifyAsync_UnknownEnvelopeVersion_RefusesAsMalformed()
    {
        var envelope = SnpEvidence.CreateEnvelope(SnpSamples.Report, []);
        envelope[8] = 2;

        var error = await Assert.ThrowsAsync<AttestationException>(() => SnpSamples.Verifier().VerifyAsync(envelope).AsTask());

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
        Assert.Contains("envelope format version 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public async Task VerifyAsync_UnsupportedReportVersion_RefusesAsMalformed(byte version)
    {
        var report = SnpSamples.Report;
        report[0] = version;

        var error = await Assert.ThrowsAsync<AttestationException>(() => SnpSamples.Verifier().VerifyAsync(report).AsTask());

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
    }

    [Fact]
    public void VcekUrl_Turin_UsesEightByteHardwareIdAndFmc()
    {
        using var http = new HttpClient();
        var kds = new KdsClient(http, new Uri("https://kds.example/"), TimeSpan.FromSeconds(1), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var chipId = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();

        var url = kds.VcekUrl(SnpProduct.Turin, chipId, new SnpTcb(0, 1, 2, 3, 4, 5));

        Assert.Equal("https://kds.example/vcek/v1/Turin/0001020304050607?fmcSPL=1&blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=5", url.AbsoluteUri);
    }
}
