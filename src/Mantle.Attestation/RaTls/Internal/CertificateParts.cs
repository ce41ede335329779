using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.RaTls.Internal;

/// <summary>
/// The parts of an X.509 certificate that RA-TLS needs, read from its exact DER bytes: the signed TBS
/// bytes, the SubjectPublicKeyInfo DER, issuer and subject, the signature, and each extension's OID
/// <em>content bytes</em> (Gramine's legacy extension carries a malformed OID, compared byte for byte).
/// </summary>
internal sealed class CertificateParts
{
    private CertificateParts()
    {
    }

    public required byte[] Tbs { get; init; }

    public required byte[] SubjectPublicKeyInfo { get; init; }

    public required byte[] Issuer { get; init; }

    public required byte[] Subject { get; init; }

    public required string SignatureAlgorithm { get; init; }

    public required byte[] Signature { get; init; }

    public required IReadOnlyList<(byte[] OidContent, byte[] Value)> Extensions { get; init; }

    public static CertificateParts Parse(byte[] der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.BER);
            var certificate = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var tbsBytes = certificate.ReadEncodedValue().ToArray();
            var signatureAlgorithm = certificate.ReadSequence();
            var algorithm = signatureAlgorithm.ReadObjectIdentifier();
            var signature = certificate.ReadBitString(out _);
            certificate.ThrowIfNotEmpty();

            var tbs = new AsnReader(tbsBytes, AsnEncodingRules.BER).ReadSequence();
            var version = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (tbs.PeekTag().HasSameClassAndValue(version))
            {
                tbs.ReadEncodedValue();
            }

            tbs.ReadEncodedValue(); // serial number
            tbs.ReadEncodedValue(); // signature algorithm (repeated)
            var issuer = tbs.ReadEncodedValue().ToArray();
            tbs.ReadEncodedValue(); // validity: checked through X509Certificate2
            var subject = tbs.ReadEncodedValue().ToArray();
            var spki = tbs.ReadEncodedValue().ToArray();
            var extensions = new List<(byte[], byte[])>();
            var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true);
            while (tbs.HasData)
            {
                var tag = tbs.PeekTag();
                if (!tag.HasSameClassAndValue(extensionsTag))
                {
                    tbs.ReadEncodedValue(); // unique ids
                    continue;
                }

                var list = tbs.ReadSequence(extensionsTag).ReadSequence();
                while (list.HasData)
                {
                    var extension = list.ReadSequence();
                    var oid = extension.ReadEncodedValue();
                    var oidContent = ContentOf(oid.Span);
                    if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                    {
                        extension.ReadBoolean();
                    }

                    var value = extension.ReadOctetString();
                    extension.ThrowIfNotEmpty();
                    extensions.Add((oidContent, value));
                }
            }

            return new CertificateParts
            {
                Tbs = tbsBytes,
                SubjectPublicKeyInfo = spki,
                Issuer = issuer,
                Subject = subject,
                SignatureAlgorithm = algorithm,
                Signature = signature,
                Extensions = extensions,
            };
        }
        catch (AsnContentException ex)
        {
            throw new AttestationException(AttestationErrorCode.MalformedEvidence, $"The certificate is not valid DER: {ex.Message}", ex);
        }
    }

    /// <summary>The DER content bytes of an object identifier, for comparing with <see cref="Extensions"/>.</summary>
    public static byte[] OidContent(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return ContentOf(writer.Encode());
    }

    /// <summary>Checks the certificate's signature with its own public key (for self-issued certificates).</summary>
    public bool IsSignedBy(X509Certificate2 certificate)
    {
        var hash = SignatureAlgorithm switch
        {
            "1.2.840.10045.4.3.2" or "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
            "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
            "1.2.840.10045.4.3.4" or "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
            _ => throw new AttestationException(
                AttestationErrorCode.Unsupported,
                $"The certificate is signed with algorithm {SignatureAlgorithm}; RA-TLS certificates must use ECDSA or RSA PKCS#1 with SHA-256, SHA-384 or SHA-512."),
        };

        if (SignatureAlgorithm.StartsWith("1.2.840.10045.", StringComparison.Ordinal))
        {
            using var ec = certificate.GetECDsaPublicKey();
            return ec is not null && ec.VerifyData(Tbs, Signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(Tbs, Signature, hash, RSASignaturePadding.Pkcs1);
    }

    private static byte[] ContentOf(ReadOnlySpan<byte> encoded)
    {
        AsnDecoder.ReadEncodedValue(encoded, AsnEncodingRules.BER, out var offset, out var length, out _);
        return encoded.Slice(offset, length).ToArray();
    }
}
