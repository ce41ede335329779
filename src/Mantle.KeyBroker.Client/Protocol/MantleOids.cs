namespace Mantle.KeyBroker;

/// <summary>
/// Object identifiers that Mantle defines. Mantle's arc is the UUID-based OID
/// <c>2.25.271544368308870326621247812422983868260</c> (ITU-T X.667: any UUID is an OID under 2.25
/// without registration; this one is the UUID cc498b03-11a0-4ffb-a40a-74a0c635df64).
/// </summary>
public static class MantleOids
{
    /// <summary>Mantle's private arc.</summary>
    public const string Arc = "2.25.271544368308870326621247812422983868260";

    /// <summary>
    /// Certificate extension (non-critical) in certificates issued by the broker: DER
    /// <c>SEQUENCE { hashAlgorithm OBJECT IDENTIFIER (id-sha256), digest OCTET STRING }</c>, the SHA-256 of the
    /// canonical JSON of the attestation claims the certificate was issued against (the token's <c>claims_digest</c>).
    /// </summary>
    public const string AttestationClaimsDigest = Arc + ".1";

    /// <summary>
    /// Certificate extension (non-critical) in certificates issued by the broker: DER <c>UTF8String</c> holding the canonical
    /// JSON of the attestation claims the certificate was issued against (see <see cref="BrokerCertificateClaims"/>).
    /// </summary>
    public const string AttestationClaims = Arc + ".2";
}
