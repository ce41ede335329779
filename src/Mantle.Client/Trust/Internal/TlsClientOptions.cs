using System.Net.Security;

namespace Mantle.Client.Trust.Internal;

/// <summary>The client side of the TLS handshake with a <see cref="ServerCertificateValidator"/>'s checks.</summary>
internal static class TlsClientOptions
{
    public static SslClientAuthenticationOptions Create(ServerCertificateValidator validator, string? targetHost, Action<VerifiedServer>? verified = null) => new()
    {
        TargetHost = targetHost,
#pragma warning disable CA5359 // Validate throws the reason for every refusal; returning means the server passed.
        RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            var server = validator.Validate(sender, certificate, chain, errors);
            verified?.Invoke(server);
            return true;
        },
#pragma warning restore CA5359
        LocalCertificateSelectionCallback = validator.SelectClientCertificate,
        ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
    };
}
