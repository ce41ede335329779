using System.Security.Authentication;
using Mantle.Attestation;
using Mantle.Attestation.Policy;

namespace Mantle.Client.Trust;

/// <summary>What a server proved in its TLS handshake: its certificate and, where it has them, its attestation claims.</summary>
public sealed record VerifiedServer
{
    /// <summary>How the server was trusted.</summary>
    public required ServerTrustMode Mode { get; init; }

    /// <summary>The certificate's subject distinguished name.</summary>
    public required string Subject { get; init; }

    /// <summary>The certificate's issuer distinguished name (equal to <see cref="Subject"/> for a self-signed RA-TLS certificate).</summary>
    public required string Issuer { get; init; }

    /// <summary>The DNS names and IP addresses of the certificate's subject alternative name extension.</summary>
    public required IReadOnlyList<string> SubjectAlternativeNames { get; init; }

    /// <summary>The start of the certificate's validity period (UTC).</summary>
    public required DateTimeOffset NotBefore { get; init; }

    /// <summary>The end of the certificate's validity period (UTC).</summary>
    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>SHA-256 of the certificate (DER), lower-case hex.</summary>
    public required string Sha256Fingerprint { get; init; }

    /// <summary>
    /// The attestation claims: the RA-TLS evidence's (<see cref="ServerTrustMode.RaTls"/>) or those a broker wrote into a
    /// CA-issued certificate; null when the certificate carries none.
    /// </summary>
    public AttestationClaims? Claims { get; init; }

    /// <summary>The policy's decision, when a policy was given (always allowed here: a refusal is an exception).</summary>
    public PolicyDecision? Decision { get; init; }

    /// <summary>The TEE the server runs in, from <see cref="Claims"/>.</summary>
    public TeeType? Tee => Claims?.Tee;

    /// <summary>The code measurement, lower-case hex, from <see cref="Claims"/>.</summary>
    public string? Measurement => Claims?.Measurement;

    /// <summary>The TCB status, from <see cref="Claims"/>.</summary>
    public string? TcbStatus => Claims?.TcbStatus;

    /// <summary>Whether the TEE runs in debug mode, from <see cref="Claims"/>.</summary>
    public bool? Debug => Claims?.Debug;

    /// <summary>The TLS version of the connection (set by <see cref="ServerVerifier"/>).</summary>
    public SslProtocols? TlsProtocol { get; init; }

    /// <summary>The application protocol the server chose with ALPN (<c>h2</c>, <c>http/1.1</c>), when it chose one (set by <see cref="ServerVerifier"/>).</summary>
    public string? ApplicationProtocol { get; init; }

    /// <summary>Whether the server asked for a client certificate (set by <see cref="ServerVerifier"/>).</summary>
    public bool ClientCertificateRequested { get; init; }
}
