namespace Mantle.Serving.Confidential;

/// <summary>How the server gets its TLS certificate (<c>--tls</c>).</summary>
public enum ServerTlsMode
{
    /// <summary>A key made in the TEE, certified by the key broker's CA after attestation (<c>broker-ca</c>); renewed before expiry.</summary>
    BrokerCa,

    /// <summary>A self-signed certificate carrying the TEE's evidence for its key (<c>ra-tls</c>); made again before the evidence ages out.</summary>
    RaTls,

    /// <summary>The owner's certificate and key files; the key may be sealed and released by the broker (<c>static</c>).</summary>
    Static,
}
