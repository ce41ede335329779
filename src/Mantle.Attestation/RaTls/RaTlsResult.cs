using Mantle.Attestation.Policy;

namespace Mantle.Attestation.RaTls;

/// <summary>The outcome of verifying an RA-TLS certificate.</summary>
public sealed class RaTlsResult
{
    /// <summary>The verified claims of the certificate's evidence (from the 2.23.133.5.4.9 extension when present, otherwise from the legacy extension).</summary>
    public required AttestationClaims Claims { get; init; }

    /// <summary>True when the certificate has the interoperable evidence extension (2.23.133.5.4.9), whose evidence verified and binds the key.</summary>
    public required bool HasEvidenceExtension { get; init; }

    /// <summary>True when the certificate has Gramine's legacy quote extension, whose quote verified and binds the key.</summary>
    public required bool HasLegacyExtension { get; init; }

    /// <summary>SHA-256 of the certificate's SubjectPublicKeyInfo DER, lower-case hex: the key the evidence vouches for.</summary>
    public required string PublicKeyHash { get; init; }

    /// <summary>The <c>nonce</c> claim of the evidence extension, if any.</summary>
    public byte[]? Nonce { get; init; }

    /// <summary>The policy's decision, when a policy was given.</summary>
    public PolicyDecision? Decision { get; init; }

    /// <summary>True when the certificate verified and no policy was given or the policy accepted it.</summary>
    public bool Allowed => Decision?.Allowed ?? true;
}
