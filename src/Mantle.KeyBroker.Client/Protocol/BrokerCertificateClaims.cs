using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Mantle.Attestation;

namespace Mantle.KeyBroker;

/// <summary>
/// The attestation claims that the broker writes into the server certificates it issues, so that a client that trusts
/// the broker CA can also check what the server proved (TEE, measurement, TCB status) before it sends data.
/// Two non-critical extensions: <see cref="MantleOids.AttestationClaimsDigest"/> (the digest of the claims) and
/// <see cref="MantleOids.AttestationClaims"/> (the canonical claims JSON, a DER UTF8String).
/// </summary>
public static class BrokerCertificateClaims
{
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";

    /// <summary>The two extensions that carry <paramref name="claims"/>.</summary>
    public static IReadOnlyList<X509Extension> CreateExtensions(AttestationClaims claims)
    {
        var canonical = AttestationClaimsJson.Canonical(claims);
        var digest = new AsnWriter(AsnEncodingRules.DER);
        using (digest.PushSequence())
        {
            digest.WriteObjectIdentifier(Sha256Oid);
            digest.WriteOctetString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        }

        var text = new AsnWriter(AsnEncodingRules.DER);
        text.WriteCharacterString(UniversalTagNumber.UTF8String, canonical);
        return
        [
            new X509Extension(MantleOids.AttestationClaimsDigest, digest.Encode(), false),
            new X509Extension(MantleOids.AttestationClaims, text.Encode(), false),
        ];
    }

    /// <summary>
    /// Reads the claims of a broker-issued certificate; null when it carries none (a certificate from another CA, or
    /// from a broker that does not write them). Check the certificate's chain to the broker CA first: the claims are
    /// only as trustworthy as the signature over them.
    /// </summary>
    /// <exception cref="FormatException">The extensions are malformed, or the claims do not match their digest.</exception>
    public static AttestationClaims? Read(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var claimsExtension = certificate.Extensions[MantleOids.AttestationClaims];
        if (claimsExtension is null)
        {
            return null;
        }

        try
        {
            var canonical = new AsnReader(claimsExtension.RawData, AsnEncodingRules.DER).ReadCharacterString(UniversalTagNumber.UTF8String);
            var digestExtension = certificate.Extensions[MantleOids.AttestationClaimsDigest]
                ?? throw new FormatException("The certificate carries attestation claims without their digest extension.");
            var sequence = new AsnReader(digestExtension.RawData, AsnEncodingRules.DER).ReadSequence();
            if (sequence.ReadObjectIdentifier() != Sha256Oid)
            {
                throw new FormatException("The claims digest extension does not use SHA-256.");
            }

            var digest = sequence.ReadOctetString();
            if (!CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(Encoding.UTF8.GetBytes(canonical))))
            {
                throw new FormatException("The certificate's attestation claims do not match their digest extension.");
            }

            using var document = JsonDocument.Parse(canonical);
            return AttestationClaimsJson.Parse(document.RootElement);
        }
        catch (Exception ex) when (ex is AsnContentException or JsonException)
        {
            throw new FormatException("The certificate's attestation claims extensions are malformed: " + ex.Message, ex);
        }
    }
}
