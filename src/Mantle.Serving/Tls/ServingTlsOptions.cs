using System.Security.Cryptography.X509Certificates;

namespace Mantle.Serving.Tls;

/// <summary>TLS on both listeners: the server certificate and, for mutual TLS, the CAs that client certificates must chain to.</summary>
public sealed class ServingTlsOptions
{
    /// <summary>The server certificate.</summary>
    public required IServerCertificateSource Certificates { get; init; }

    /// <summary>
    /// When set, every connection must present a client certificate that chains to one of these CAs and allows
    /// client authentication (<c>--client-ca</c>); others fail the handshake. Defaults to null (no client certificates).
    /// </summary>
    public X509Certificate2Collection? ClientCertificateAuthorities { get; init; }
}
