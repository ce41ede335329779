namespace Mantle.Client.Trust;

/// <summary>Why a client refused a server; the public code of a <see cref="ServerVerificationException"/>.</summary>
public enum ServerVerificationFailure
{
    /// <summary>The server presented no certificate.</summary>
    NoCertificate,

    /// <summary>The server's certificate does not chain to the trusted CA (or, with system roots, to a trusted root).</summary>
    UntrustedIssuer,

    /// <summary>The certificate (or a CA above it) has expired.</summary>
    Expired,

    /// <summary>The certificate (or a CA above it) is not valid yet.</summary>
    NotYetValid,

    /// <summary>The certificate is not for the host name the client connected to.</summary>
    NameMismatch,

    /// <summary>The certificate is not meant for TLS servers (extended key usage), or its chain has another defect.</summary>
    InvalidCertificate,

    /// <summary>A policy was given, but the CA-issued certificate carries no attestation claims.</summary>
    NoAttestationClaims,

    /// <summary>The certificate's attestation claims or RA-TLS evidence are malformed, not authentic, or not bound to its key.</summary>
    InvalidEvidence,

    /// <summary>The attestation claims are authentic but the policy refuses them.</summary>
    PolicyViolation,

    /// <summary>The server asked for a client certificate, the client had none, and the server closed the connection.</summary>
    ClientCertificateRequired,
}
