using System.Buffers.Binary;

namespace Mantle.Attestation.Snp;

/// <summary>
/// The formats of SEV-SNP evidence that <see cref="SnpReportVerifier"/> reads, and helpers to write them.
/// </summary>
/// <remarks>
/// <para>Two forms are accepted: the raw 1184-byte ATTESTATION_REPORT (configfs-tsm <c>outblob</c>,
/// <c>SNP_GET_REPORT</c>), or the Mantle envelope that carries the report together with the certificate
/// table that the host supplied (configfs-tsm <c>auxblob</c>, <c>SNP_GET_EXT_REPORT</c>), so that one
/// evidence file holds its own VCEK or VLEK.</para>
/// <para>Envelope layout, integers little-endian: magic <c>MNTLSNPE</c> (8 bytes ASCII), format version
/// (u32, 1), report length (u32, 1184), certificate table length (u32), the report, the certificate
/// table. Nothing may follow.</para>
/// <para>Certificate table layout (AMD GHCB specification): entries of 24 bytes, each a GUID (16 bytes,
/// RFC 4122 byte order), an offset (u32) and a length (u32) of a DER certificate measured from the start
/// of the table; an all-zero entry ends the list.</para>
/// </remarks>
public static class SnpEvidence
{
    /// <summary>The length of an SEV-SNP attestation report: 1184 bytes.</summary>
    public const int ReportLength = 1184;

    /// <summary>The envelope format version written by <see cref="CreateEnvelope"/>: 1.</summary>
    public const int EnvelopeVersion = 1;

    /// <summary>The length of the envelope header: 20 bytes.</summary>
    public const int EnvelopeHeaderLength = 20;

    /// <summary>Certificate table key of the VCEK certificate.</summary>
    public static readonly Guid VcekGuid = new("63da758d-e664-4564-adc5-f4b93be8accd");

    /// <summary>Certificate table key of the VLEK certificate.</summary>
    public static readonly Guid VlekGuid = new("a8074bc2-a25a-483e-aae6-39c045a0b8a1");

    /// <summary>Certificate table key of the ASK (or ASVK) certificate.</summary>
    public static readonly Guid AskGuid = new("4ab7b379-bbac-4fe4-a02f-05aef327c782");

    /// <summary>Certificate table key of the ARK certificate.</summary>
    public static readonly Guid ArkGuid = new("c0b406a4-a803-4952-9743-3fb6014cd0ae");

    /// <summary>The envelope magic: ASCII <c>MNTLSNPE</c>.</summary>
    public static ReadOnlySpan<byte> EnvelopeMagic => "MNTLSNPE"u8;

    /// <summary>Wraps a report and the certificate table that came with it into one evidence blob.</summary>
    /// <param name="report">The 1184-byte attestation report.</param>
    /// <param name="certificateTable">The certificate table (may be empty).</param>
    /// <exception cref="ArgumentException">The report is not 1184 bytes long.</exception>
    public static byte[] CreateEnvelope(ReadOnlySpan<byte> report, ReadOnlySpan<byte> certificateTable)
    {
        if (report.Length != ReportLength)
        {
            throw new ArgumentException($"An SEV-SNP report is {ReportLength} bytes; {report.Length} bytes were given.", nameof(report));
        }

        var result = new byte[EnvelopeHeaderLength + report.Length + certificateTable.Length];
        EnvelopeMagic.CopyTo(result);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), EnvelopeVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(12), (uint)report.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(16), (uint)certificateTable.Length);
        report.CopyTo(result.AsSpan(EnvelopeHeaderLength));
        certificateTable.CopyTo(result.AsSpan(EnvelopeHeaderLength + report.Length));
        return result;
    }

    /// <summary>Builds a certificate table from DER certificates keyed by GUID (<see cref="VcekGuid"/>, …).</summary>
    /// <param name="certificates">The entries, in the order they should appear.</param>
    public static byte[] CreateCertificateTable(IEnumerable<KeyValuePair<Guid, byte[]>> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var entries = certificates.ToList();
        const int entryLength = 24;
        var headerLength = (entries.Count + 1) * entryLength;
        var result = new byte[headerLength + entries.Sum(e => e.Value.Length)];
        var offset = headerLength;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = result.AsSpan(i * entryLength, entryLength);
            entries[i].Key.TryWriteBytes(entry, bigEndian: true, out _);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], (uint)offset);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], (uint)entries[i].Value.Length);
            entries[i].Value.CopyTo(result, offset);
            offset += entries[i].Value.Length;
        }

        return result;
    }
}
