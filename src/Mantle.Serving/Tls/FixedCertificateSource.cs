using System.Security.Cryptography.X509Certificates;

namespace Mantle.Serving.Tls;

/// <summary>One certificate for the life of the server (<c>--tls static</c>).</summary>
public sealed class FixedCertificateSource : IServerCertificateSource, IDisposable
{
    /// <summary>Serves <paramref name="certificate"/>, which must hold its private key; the source owns it.</summary>
    /// <exception cref="ArgumentException">The certificate has no private key.</exception>
    public FixedCertificateSource(X509Certificate2 certificate, string mode = "static")
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The server certificate has no private key; pass the key that belongs to it.", nameof(certificate));
        }

        Current = certificate;
        Mode = mode;
    }

    /// <inheritdoc />
    public X509Certificate2 Current { get; }

    /// <inheritdoc />
    public string Mode { get; }

    /// <inheritdoc />
    public void Dispose() => Current.Dispose();
}
