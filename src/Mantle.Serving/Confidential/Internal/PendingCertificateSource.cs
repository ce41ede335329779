using System.Security.Cryptography.X509Certificates;
using Mantle.Serving.Tls;

namespace Mantle.Serving.Confidential.Internal;

/// <summary>
/// The listeners' certificate source while the real one is still being obtained: the listeners are configured with it
/// while the models load, and it hands every handshake to the source set before they open.
/// </summary>
internal sealed class PendingCertificateSource : IServerCertificateSource
{
    private IServerCertificateSource? _source;

    public X509Certificate2 Current =>
        (Volatile.Read(ref _source) ?? throw new InvalidOperationException("No TLS certificate yet: the listeners opened before the confidential start obtained one.")).Current;

    public string Mode => Volatile.Read(ref _source)?.Mode ?? "pending";

    public void Set(IServerCertificateSource source) => Volatile.Write(ref _source, source);
}
