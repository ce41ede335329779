namespace Mantle.Attestation;

/// <summary>Why evidence, collateral, a policy or an RA-TLS certificate was refused.</summary>
public enum AttestationErrorCode
{
    /// <summary>The bytes are not evidence of any supported kind, or are truncated or inconsistent.</summary>
    MalformedEvidence,

    /// <summary>A signature over the evidence (quote, report, QE report) does not verify.</summary>
    InvalidSignature,

    /// <summary>A certificate chain does not build to the trusted vendor root, or a certificate is invalid.</summary>
    InvalidCertificateChain,

    /// <summary>A certificate in the chain is revoked by a CRL.</summary>
    Revoked,

    /// <summary>Collateral is missing, malformed, does not match the evidence, or is not valid at the verification time.</summary>
    InvalidCollateral,

    /// <summary>Report data does not carry the expected binding (nonce, key, RA-TLS claims).</summary>
    ReportDataMismatch,

    /// <summary>A policy refused the claims.</summary>
    PolicyViolation,

    /// <summary>A policy document is malformed, or its auditor signature does not verify.</summary>
    InvalidPolicy,

    /// <summary>The TEE device or interface could not produce evidence.</summary>
    ProviderUnavailable,

    /// <summary>The evidence is authentic but of a kind that this verifier was not configured to accept.</summary>
    Unsupported,
}
