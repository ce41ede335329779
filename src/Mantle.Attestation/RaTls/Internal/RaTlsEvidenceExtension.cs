using System.Formats.Cbor;

namespace Mantle.Attestation.RaTls.Internal;

/// <summary>The value of extension 2.23.133.5.4.9: CBOR tag 60000 wrapping the array <c>[evidence (bstr), claims buffer (bstr)]</c>.</summary>
internal static class RaTlsEvidenceExtension
{
    public const ulong Tag = 60000;

    public static byte[] Encode(ReadOnlySpan<byte> evidence, ReadOnlySpan<byte> claimsBuffer)
    {
        var writer = new CborWriter(CborConformanceMode.Strict);
        writer.WriteTag((CborTag)Tag);
        writer.WriteStartArray(2);
        writer.WriteByteString(evidence);
        writer.WriteByteString(claimsBuffer);
        writer.WriteEndArray();
        return writer.Encode();
    }

    public static (byte[] Evidence, byte[] ClaimsBuffer) Decode(byte[] value)
    {
        try
        {
            var reader = new CborReader(value, CborConformanceMode.Lax);
            var tag = (ulong)reader.ReadTag();
            if (tag != Tag)
            {
                throw new AttestationException(
                    AttestationErrorCode.Unsupported,
                    $"The RA-TLS evidence extension uses CBOR tag {tag}; this verifier reads tag {Tag} (TEE quote or report, followed by the claims).");
            }

            if (reader.ReadStartArray() is not 2)
            {
                throw Malformed("the tagged value is not a definite array of two entries");
            }

            var evidence = reader.ReadByteString();
            var claims = reader.ReadByteString();
            reader.ReadEndArray();
            if (reader.BytesRemaining != 0)
            {
                throw Malformed("bytes follow the tagged array");
            }

            return (evidence, claims);
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            throw Malformed(ex.Message, ex);
        }
    }

    private static AttestationException Malformed(string why, Exception? inner = null) =>
        inner is null
            ? new(AttestationErrorCode.MalformedEvidence, $"The RA-TLS evidence extension is malformed: {why}.")
            : new(AttestationErrorCode.MalformedEvidence, $"The RA-TLS evidence extension is malformed: {why}", inner);
}
