using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Client.Trust.Internal;

namespace Mantle.Client.Trust;

/// <summary>
/// What a client trusts in a server, checked in the TLS handshake before any request byte is sent:
/// <list type="bullet">
/// <item><description>with <see cref="CertificateAuthorities"/>: the server's chain must build to one of them (the system roots
/// are not used) and its name must match the host; attestation claims a key broker put in the certificate are read,
/// and with a <see cref="Policy"/> they must satisfy it (<see cref="ServerTrustMode.CertificateAuthority"/>);</description></item>
/// <item><description>with a <see cref="Policy"/> and no CA: the server's certificate must be an RA-TLS certificate whose
/// evidence verifies (<see cref="EvidenceVerifier"/>), vouches for the certificate's key and satisfies the policy
/// (<see cref="ServerTrustMode.RaTls"/>);</description></item>
/// <item><description>with neither: the system's roots and the host name (<see cref="ServerTrustMode.SystemRoots"/>).</description></item>
/// </list>
/// A <see cref="ClientCertificate"/> is presented when the server asks for one (mutual TLS). A refusal surfaces as
/// <see cref="ServerVerificationException"/> from the inference clients, the handler and <see cref="ServerVerifier"/>.
/// </summary>
/// <example>
/// <code>
/// var trust = new ServerTrust { Policy = AttestationPolicy.Load("policy.json") };
/// trust.AddCertificateAuthorities("ca.crt");
/// using var client = InferenceClients.Create(InferenceProtocol.TfsGrpc, new Uri("https://server:8500"), trust.CreateHandler());
/// </code>
/// </example>
public sealed class ServerTrust
{
    /// <summary>The CAs the server's chain must build to. Empty by default: no CA mode.</summary>
    public X509Certificate2Collection CertificateAuthorities { get; } = [];

    /// <summary>
    /// How refusals name the CA, for example <c>the CA in ca.crt</c>. Defaults to null: the CA's subject.
    /// <see cref="AddCertificateAuthorities"/> sets it to the file's name.
    /// </summary>
    public string? CertificateAuthorityName { get; set; }

    /// <summary>
    /// The policy the server's attestation claims must satisfy: the claims in a CA-issued certificate, or the RA-TLS
    /// evidence when no CA is given. Defaults to null.
    /// </summary>
    public AttestationPolicy? Policy { get; set; }

    /// <summary>
    /// Verifies RA-TLS evidence. Defaults to null: every TEE's verifier with the default sim platform key
    /// (<see cref="Attestation.Sim.SimulatedTee.DefaultKeyPath"/>, read only when sim evidence shows up), the built-in
    /// vendor roots and no collateral (Intel TCB status <c>NotEvaluated</c>, which policies refuse unless they accept it);
    /// see <see cref="EvidenceVerifiers"/> to build one with collateral.
    /// </summary>
    public EvidenceVerifier? EvidenceVerifier { get; set; }

    /// <summary>A certificate with its private key, presented when the server asks for one (mutual TLS). Defaults to null.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>The clock for certificate validity. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The mode these settings select.</summary>
    public ServerTrustMode Mode =>
        CertificateAuthorities.Count > 0 ? ServerTrustMode.CertificateAuthority
        : Policy is not null ? ServerTrustMode.RaTls
        : ServerTrustMode.SystemRoots;

    /// <summary>Adds the certificates of a PEM file (for example the broker's <c>ca.crt</c>) as trusted CAs.</summary>
    /// <exception cref="ArgumentException">The file cannot be read or holds no PEM certificate.</exception>
    public void AddCertificateAuthorities(string pemFile)
    {
        ArgumentNullException.ThrowIfNull(pemFile);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(pemFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"The CA file '{pemFile}' cannot be read as PEM certificates: {ex.Message}", nameof(pemFile), ex);
        }

        if (certificates.Count == 0)
        {
            throw new ArgumentException($"The CA file '{pemFile}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).", nameof(pemFile));
        }

        CertificateAuthorities.AddRange(certificates);
        CertificateAuthorityName ??= "the CA in " + Path.GetFileName(pemFile);
    }

    /// <summary>Loads a client certificate (PEM) and its private key (PEM) for mutual TLS.</summary>
    /// <exception cref="ArgumentException">A file cannot be read, or the key does not belong to the certificate.</exception>
    public static X509Certificate2 LoadClientCertificate(string certificateFile, string keyFile)
    {
        ArgumentNullException.ThrowIfNull(certificateFile);
        ArgumentNullException.ThrowIfNull(keyFile);
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);

            // A PKCS#12 round trip gives a key that SslStream can use on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ArgumentException(
                $"The client certificate '{certificateFile}' with key '{keyFile}' cannot be loaded: {ex.Message} Both must be PEM, and the key must be the certificate's.",
                nameof(certificateFile),
                ex);
        }
    }

    /// <summary>
    /// Creates an HTTP handler that verifies the server in every TLS handshake and refuses to send a request otherwise;
    /// hand it to any inference client (<c>https://</c> addresses; HTTP/2 for gRPC is negotiated with ALPN).
    /// Requests through it throw <see cref="ServerVerificationException"/> when the server is refused. The settings are
    /// read now: later changes to this object do not affect the handler.
    /// </summary>
    /// <exception cref="ArgumentException">The settings are inconsistent (for example a client certificate without its private key).</exception>
    public HttpMessageHandler CreateHandler()
    {
        var validator = new ServerCertificateValidator(this);
        var sockets = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            SslOptions = TlsClientOptions.Create(validator, targetHost: null),
        };
        return new ServerVerificationHandler(sockets, validator);
    }

    /// <summary>
    /// Creates a gRPC channel to <paramref name="address"/> (<c>https://host:port</c>) through <see cref="CreateHandler"/>,
    /// with the message size limits of Mantle's gRPC clients (256 MiB).
    /// </summary>
    /// <exception cref="ArgumentException">The settings are inconsistent.</exception>
    public GrpcChannel CreateGrpcChannel(Uri address) => GrpcChannels.Create(address, CreateHandler());

    internal void Validate()
    {
        if (ClientCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException($"ServerTrust.ClientCertificate ({ClientCertificate.Subject}) has no private key; load it with LoadClientCertificate(certificate, key).");
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("ServerTrust.TimeProvider must not be null.");
        }
    }
}
