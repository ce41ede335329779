using System.Security.Cryptography.X509Certificates;

namespace Mantle.Serving.Tls;

/// <summary>Where a TLS listener gets its certificate (with private key) at each handshake; a source may renew it while serving.</summary>
public interface IServerCertificateSource
{
    /// <summary>The certificate for new connections. Connections already open keep the certificate they started with.</summary>
    X509Certificate2 Current { get; }

    /// <summary>How the certificate is made, for logs and the start summary (<c>broker-ca</c>, <c>ra-tls</c>, <c>static</c>).</summary>
    string Mode { get; }
}
