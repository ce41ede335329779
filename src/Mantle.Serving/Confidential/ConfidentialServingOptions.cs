using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation;
using Mantle.Sealing.Keys;

namespace Mantle.Serving.Confidential;

/// <summary>What a confidential start needs besides the serving options: the broker, the TEE, the owner key and TLS.</summary>
public sealed class ConfidentialServingOptions
{
    /// <summary>The key broker.</summary>
    public required BrokerSessionOptions Broker { get; init; }

    /// <summary>This machine's TEE (not owned).</summary>
    public required IEvidenceProvider Evidence { get; init; }

    /// <summary>The model owner's public signing key; every sealed manifest must verify with it (not owned).</summary>
    public required OwnerPublicKey OwnerKey { get; init; }

    /// <summary>How the TLS certificate is made, or null to serve plaintext (keys still come from the broker). Defaults to <see cref="ServerTlsMode.BrokerCa"/>.</summary>
    public ServerTlsMode? Tls { get; init; } = ServerTlsMode.BrokerCa;

    /// <summary>The DNS names the certificate names (<c>--tls-name</c>; broker-ca and ra-tls). Defaults to <c>localhost</c>.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = ["localhost"];

    /// <summary>static mode: the certificate file (PEM).</summary>
    public string? CertificatePath { get; init; }

    /// <summary>static mode: the key file (PEM), or a sealed folder holding it whose model key the broker releases.</summary>
    public string? KeyPath { get; init; }

    /// <summary>CAs that client certificates must chain to (mutual TLS), or null. Defaults to null.</summary>
    public X509Certificate2Collection? ClientCertificateAuthorities { get; init; }

    /// <summary>ra-tls mode: the lifetime of each certificate; it is made again at two thirds of it. Defaults to 1 hour.</summary>
    public TimeSpan RaTlsLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often every held model key is asked for again (<c>--key-check-seconds</c>): a key the broker no longer releases
    /// (revoked, or its policy no longer met) unloads the versions sealed with it. Zero disables. Defaults to 60 seconds.
    /// </summary>
    public TimeSpan KeyCheckInterval { get; init; } = TimeSpan.FromSeconds(60);
}
