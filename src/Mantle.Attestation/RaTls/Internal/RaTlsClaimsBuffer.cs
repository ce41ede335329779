using System.Formats.Cbor;
using System.Security.Cryptography;

namespace Mantle.Attestation.RaTls.Internal;

/// <summary>
/// The interoperable RA-TLS claims buffer: a CBOR map of text keys to byte strings,
/// <c>{"pubkey-hash": bstr(CBOR [hash-alg-id, hash(SPKI DER)]), ? "nonce": bstr}</c>. Hash algorithm ids
/// are the IANA named-information ids: 1 = SHA-256, 7 = SHA-384, 8 = SHA-512.
/// </summary>
internal static class RaTlsClaimsBuffer
{
    public const int Sha256Id = 1;
    public const int Sha384Id = 7;
    public const int Sha512Id = 8;

    public static byte[] Encode(ReadOnlySpan<byte> subjectPublicKeyInfo, byte[]? nonce)
    {
        var hashEntry = new CborWriter(CborConformanceMode.Strict);
        hashEntry.WriteStartArray(2);
        hashEntry.WriteInt32(Sha256Id);
        hashEntry.WriteByteString(SHA256.HashData(subjectPublicKeyInfo));
        hashEntry.WriteEndArray();

        var writer = new CborWriter(CborConformanceMode.Strict);
        writer.WriteStartMap(nonce is null ? 1 : 2);
        writer.WriteTextString("pubkey-hash");
        writer.WriteByteString(hashEntry.Encode());
        if (nonce is not null)
        {
            writer.WriteTextString("nonce");
            writer.WriteByteString(nonce);
        }

        writer.WriteEndMap();
        return writer.Encode();
    }

    /// <summary>Parses the claims buffer; unknown claims are ignored, duplicates refused.</summary>
    public static (int HashAlgorithm, byte[] PublicKeyHash, byte[]? Nonce) Decode(byte[] buffer)
    {
        try
        {
            var reader = new CborReader(buffer, CborConformanceMode.Lax);
            var count = reader.ReadStartMap();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            (int, byte[])? pubkeyHash = null;
            byte[]? nonce = null;
            for (var i = 0; count is null ? reader.PeekState() != CborReaderState.EndMap : i < count; i++)
            {
                var name = reader.ReadTextString();
                if (!seen.Add(name))
                {
                    throw Malformed($"the claim \"{name}\" appears twice");
                }

                switch (name)
                {
                    case "pubkey-hash":
                        pubkeyHash = reader.PeekState() == CborReaderState.ByteString
                            ? ReadHashEntry(new CborReader(reader.ReadByteString(), CborConformanceMode.Lax), wrapped: true)
                            : ReadHashEntry(reader, wrapped: false);
                        break;
                    case "nonce":
                        nonce = reader.ReadByteString();
                        break;
                    default:
                        reader.SkipValue();
                        break;
                }
            }

            reader.ReadEndMap();
            if (reader.BytesRemaining != 0)
            {
                throw Malformed("bytes follow the claims map");
            }

            if (pubkeyHash is not { } entry)
            {
                throw Malformed("the required \"pubkey-hash\" claim is missing");
            }

            return (entry.Item1, entry.Item2, nonce);
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            throw new AttestationException(AttestationErrorCode.MalformedEvidence, $"The RA-TLS claims are not a valid CBOR claims map: {ex.Message}", ex);
        }
    }

    public static byte[] Hash(int algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        Sha256Id => SHA256.HashData(data),
        Sha384Id => SHA384.HashData(data),
        Sha512Id => SHA512.HashData(data),
        _ => throw new AttestationException(
            AttestationErrorCode.Unsupported,
            $"The RA-TLS pubkey-hash uses hash algorithm id {algorithm}; supported are 1 (SHA-256), 7 (SHA-384) and 8 (SHA-512)."),
    };

    private static (int, byte[]) ReadHashEntry(CborReader reader, bool wrapped)
    {
        if (reader.ReadStartArray() is not 2)
        {
            throw Malformed("pubkey-hash is not a definite array of [hash-alg-id, hash-value]");
        }

        var algorithm = checked((int)reader.ReadUInt64());
        var hash = reader.ReadByteString();
        reader.ReadEndArray();
        if (wrapped && reader.BytesRemaining != 0)
        {
            throw Malformed("bytes follow the pubkey-hash entry");
        }

        return (algorithm, hash);
    }

    private static AttestationException Malformed(string why) =>
        new(AttestationErrorCode.MalformedEvidence, $"The RA-TLS claims are malformed: {why}.");
}
