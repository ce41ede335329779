namespace Mantle.Client.Trust;

/// <summary>How a client decides to trust a server's TLS certificate.</summary>
public enum ServerTrustMode
{
    /// <summary>The operating system's trusted roots and the host name, as any HTTPS client does.</summary>
    SystemRoots,

    /// <summary>
    /// The server's chain must build to a given CA (no system roots) and its name must match the host; attestation
    /// claims that a broker put in the certificate are read and, with a policy, judged.
    /// </summary>
    CertificateAuthority,

    /// <summary>The server's certificate is a self-signed RA-TLS certificate whose evidence must verify and satisfy a policy.</summary>
    RaTls,
}
