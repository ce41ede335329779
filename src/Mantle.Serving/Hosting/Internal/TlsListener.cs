using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mantle.Serving.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Mantle.Serving.Hosting.Internal;

/// <summary>Kestrel's TLS settings for both listeners: the current certificate at each handshake, and client certificates for mutual TLS.</summary>
internal static class TlsListener
{
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public static void Configure(HttpsConnectionAdapterOptions https, ServingTlsOptions tls)
    {
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        // Asked at every handshake, so a renewed certificate serves new connections while open ones keep theirs.
        https.ServerCertificateSelector = (_, _) => tls.Certificates.Current;
        if (tls.ClientCertificateAuthorities is { } authorities)
        {
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => IsTrustedClient(certificate, authorities);
        }
    }

    /// <summary>The client certificate chains to one of the configured CAs and, if it names its uses, allows client authentication.</summary>
    public static bool IsTrustedClient(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ClientAuthentication));
        return chain.Build(certificate);
    }
}
