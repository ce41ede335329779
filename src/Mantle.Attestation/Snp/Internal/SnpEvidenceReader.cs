using System.Buffers.Binary;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>Splits evidence into the report and the certificates that travel with it.</summary>
internal static class SnpEvidenceReader
{
    private const int EntryLength = 24;
    private const int MaxEntries = 64;

    public static bool IsEnvelope(ReadOnlySpan<byte> evidence) =>
        evidence.Length >= SnpEvidence.EnvelopeHeaderLength && evidence.StartsWith(SnpEvidence.EnvelopeMagic);

    /// <summary>A cheap check of the raw report: length, version and signature algorithm.</summary>
    public static bool LooksLikeReport(ReadOnlySpan<byte> report) =>
        report.Length == SnpReport.Length
        && BinaryPrimitives.ReadUInt32LittleEndian(report) is >= SnpReport.MinVersion and <= SnpReport.MaxVersion
        && BinaryPrimitives.ReadUInt32LittleEndian(report[0x34..]) == SnpReport.EcdsaP384Sha384;

    public static (SnpReport Report, IReadOnlyList<(Guid Guid, byte[] Der)> Certificates) Read(ReadOnlySpan<byte> evidence)
    {
        if (!IsEnvelope(evidence))
        {
            return (SnpReport.Parse(evidence), []);
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(evidence[8..]);
        var reportLength = BinaryPrimitives.ReadUInt32LittleEndian(evidence[12..]);
        var tableLength = BinaryPrimitives.ReadUInt32LittleEndian(evidence[16..]);
        if (version != SnpEvidence.EnvelopeVersion)
        {
            throw Malformed($"envelope format version {version} is not supported (version {SnpEvidence.EnvelopeVersion} is)");
        }

        var body = evidence[SnpEvidence.EnvelopeHeaderLength..];
        if (reportLength != SnpReport.Length || (ulong)reportLength + tableLength != (ulong)body.Length)
        {
            throw Malformed($"the envelope announces a {reportLength}-byte report and a {tableLength}-byte certificate table, " +
                $"but {body.Length} bytes follow the header");
        }

        var report = SnpReport.Parse(body[..(int)reportLength]);
        return (report, ReadCertificateTable(body[(int)reportLength..]));
    }

    /// <summary>Reads a GHCB certificate table; offsets are relative to the start of the table.</summary>
    public static IReadOnlyList<(Guid Guid, byte[] Der)> ReadCertificateTable(ReadOnlySpan<byte> table)
    {
        var result = new List<(Guid, byte[])>();
        if (table.IsEmpty)
        {
            return result;
        }

        for (var index = 0; ; index++)
        {
            if (index >= MaxEntries)
            {
                throw Malformed($"the certificate table has more than {MaxEntries} entries");
            }

            var start = index * EntryLength;
            if (start + EntryLength > table.Length)
            {
                throw Malformed("the certificate table ends before its all-zero terminating entry");
            }

            var entry = table.Slice(start, EntryLength);
            if (!entry.ContainsAnyExcept((byte)0))
            {
                return result;
            }

            var guid = new Guid(entry[..16], bigEndian: true);
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(entry[20..]);
            if (length == 0 || (ulong)offset + length > (ulong)table.Length)
            {
                throw Malformed($"certificate table entry {guid} points outside the table (offset {offset}, length {length}, table {table.Length} bytes)");
            }

            result.Add((guid, table.Slice((int)offset, (int)length).ToArray()));
        }
    }

    private static AttestationException Malformed(string what) =>
        new(AttestationErrorCode.MalformedEvidence, $"SEV-SNP evidence is malformed: {what}.");
}
