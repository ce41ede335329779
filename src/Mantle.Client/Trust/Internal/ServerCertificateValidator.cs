using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Attestation.RaTls;
using Mantle.KeyBroker;

namespace Mantle.Client.Trust.Internal;

/// <summary>
/// The checks of one <see cref="ServerTrust"/> (a snapshot of its settings), run from the TLS certificate validation
/// callback. A refusal is thrown as <see cref="ServerVerificationException"/>: SslStream lets an exception from the
/// callback end the handshake and hands it to the caller as the cause of the failure, which carries the reason further
/// than the callback's bare <c>false</c> could.
/// </summary>
internal sealed class ServerCertificateValidator
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const int MaxCachedCertificates = 64;

    private readonly ServerTrustMode _mode;
    private readonly X509Certificate2Collection _authorities;
    private readonly string _authorityName;
    private readonly AttestationPolicy? _policy;
    private readonly TimeProvider _time;
    private readonly Lazy<RaTlsVerifier> _raTls;
    private readonly ConcurrentDictionary<string, RaTlsResult> _verified = new(StringComparer.Ordinal);
    private volatile bool _clientCertificateRequested;

    public ServerCertificateValidator(ServerTrust trust)
    {
        trust.Validate();
        _mode = trust.Mode;
        _authorities = [.. trust.CertificateAuthorities];
        _authorityName = trust.CertificateAuthorityName
            ?? "the CA " + string.Join(" or ", _authorities.Select(a => a.Subject));
        _policy = trust.Policy;
        _time = trust.TimeProvider;
        ClientCertificate = trust.ClientCertificate;
        var evidence = trust.EvidenceVerifier;
        _raTls = new(() => new RaTlsVerifier(
            evidence ?? EvidenceVerifiers.Create(new EvidenceVerifierOptions { CreateOnFirstUse = true, RequireCollateral = false, TimeProvider = _time }),
            _time));
    }

    public X509Certificate2? ClientCertificate { get; }

    /// <summary>True once a server asked this client for a certificate that it does not have.</summary>
    public bool ClientCertificateRequested => _clientCertificateRequested;

    /// <summary>The client certificate callback: notes a request the client cannot answer, so that the server's refusal can be explained.</summary>
    public X509Certificate? SelectClientCertificate(object sender, string targetHost, X509CertificateCollection localCertificates, X509Certificate? remoteCertificate, string[] acceptableIssuers)
    {
        if (ClientCertificate is null)
        {
            if (remoteCertificate is not null)
            {
                _clientCertificateRequested = true;
            }

            return null;
        }

        return ClientCertificate;
    }

    /// <summary>Checks the server's certificate; returns what it proved or throws the reason it is refused.</summary>
    /// <exception cref="ServerVerificationException">The server is refused.</exception>
    public VerifiedServer Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            throw new ServerVerificationException(ServerVerificationFailure.NoCertificate, "The server presented no TLS certificate.");
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var host = (sender as SslStream)?.TargetHostName;
        return _mode switch
        {
            ServerTrustMode.CertificateAuthority => ValidateCaChain(leaf, chain, errors, host),
            ServerTrustMode.RaTls => ValidateRaTls(leaf),
            _ => ValidateSystem(leaf, chain, errors, host),
        };
    }

    private VerifiedServer ValidateCaChain(X509Certificate2 leaf, X509Chain? sent, SslPolicyErrors errors, string? host)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        if (sent is not null)
        {
            // The intermediates the server sent.
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
            foreach (var element in sent.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (!chain.Build(leaf))
        {
            throw ChainFailure(leaf, chain);
        }

        CheckName(leaf, errors, host);
        AttestationClaims? claims;
        try
        {
            claims = BrokerCertificateClaims.Read(leaf);
        }
        catch (FormatException ex)
        {
            throw new ServerVerificationException(ServerVerificationFailure.InvalidEvidence, $"The server certificate ({leaf.Subject}) from {_authorityName} carries unreadable attestation claims: {ex.Message}", ex);
        }

        PolicyDecision? decision = null;
        if (_policy is not null)
        {
            if (claims is null)
            {
                throw new ServerVerificationException(
                    ServerVerificationFailure.NoAttestationClaims,
                    $"The server certificate ({leaf.Subject}) is issued by {_authorityName} but carries no attestation claims (extension {MantleOids.AttestationClaims}), so the policy cannot be checked. A key broker writes them into the certificates it issues after attestation; drop the policy to trust the CA alone.");
            }

            decision = _policy.Evaluate(claims);
            if (!decision.Allowed)
            {
                throw new ServerVerificationException(ServerVerificationFailure.PolicyViolation, $"The server's attestation claims (in its certificate from {_authorityName}) fail the policy: {Failures(decision)}.")
                {
                    Claims = claims,
                    Decision = decision,
                };
            }
        }

        return Describe(leaf, claims, decision);
    }

    private VerifiedServer ValidateRaTls(X509Certificate2 leaf)
    {
        CheckValidity(leaf);
        var key = Convert.ToHexStringLower(SHA256.HashData(leaf.RawData));
        if (!_verified.TryGetValue(key, out var result))
        {
            try
            {
                // The TLS callback is synchronous and evidence verification is asynchronous. SslStream runs the
                // callback on the thread that completes the handshake, a thread-pool thread (SocketsHttpHandler and
                // ServerVerifier start handshakes off any synchronization context), and Task.Run keeps the verifiers'
                // continuations off any context too, so this wait cannot deadlock. It holds one pool thread while the
                // evidence is checked (one ECDSA verification for sim; chains and collateral, maybe fetched, for
                // hardware), once per certificate: verified certificates are remembered by their SHA-256.
                result = Task.Run(() => _raTls.Value.VerifyAsync(leaf, _policy!).AsTask()).GetAwaiter().GetResult();
            }
            catch (AttestationException ex)
            {
                throw new ServerVerificationException(ServerVerificationFailure.InvalidEvidence, $"The server's RA-TLS certificate ({leaf.Subject}) is refused: {ex.Message}", ex);
            }

            if (!result.Allowed)
            {
                throw new ServerVerificationException(ServerVerificationFailure.PolicyViolation, $"The server's RA-TLS evidence fails the policy: {Failures(result.Decision!)}.")
                {
                    Claims = result.Claims,
                    Decision = result.Decision,
                };
            }

            if (_verified.Count >= MaxCachedCertificates)
            {
                _verified.Clear();
            }

            _verified[key] = result;
        }

        return Describe(leaf, result.Claims, result.Decision);
    }

    private VerifiedServer ValidateSystem(X509Certificate2 leaf, X509Chain? chain, SslPolicyErrors errors, string? host)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var status = chain?.ChainStatus ?? [];
            if (status.Any(s => s.Status.HasFlag(X509ChainStatusFlags.NotTimeValid)))
            {
                CheckValidity(leaf);
            }

            throw new ServerVerificationException(
                ServerVerificationFailure.UntrustedIssuer,
                $"The server certificate ({leaf.Subject}, issuer {leaf.Issuer}) does not chain to a root this system trusts ({StatusText(status)}). Give the server's CA (--ca FILE) or, for an RA-TLS server, a policy (--policy FILE).");
        }

        CheckName(leaf, errors, host);
        return Describe(leaf, null, null);
    }

    private ServerVerificationException ChainFailure(X509Certificate2 leaf, X509Chain chain)
    {
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotSignatureValid)) != 0)
        {
            return new ServerVerificationException(
                ServerVerificationFailure.UntrustedIssuer,
                $"The server certificate ({leaf.Subject}, issuer {leaf.Issuer}) is not issued by {_authorityName}. Check that the server's certificate comes from that CA, or give the CA that issued it.");
        }

        if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            CheckValidity(leaf);
            var outdated = chain.ChainElements.Select(e => e.Certificate).FirstOrDefault(c => !IsValidAt(c, _time.GetUtcNow()));
            var period = outdated is null ? string.Empty : $" (valid {Instant(outdated.NotBefore)} to {Instant(outdated.NotAfter)})";
            return new ServerVerificationException(
                ServerVerificationFailure.Expired,
                $"The CA certificate {outdated?.Subject ?? "above the server certificate"} is not valid at {Instant(_time.GetUtcNow())}{period}.");
        }

        if (flags.HasFlag(X509ChainStatusFlags.NotValidForUsage))
        {
            return new ServerVerificationException(
                ServerVerificationFailure.InvalidCertificate,
                $"The server certificate ({leaf.Subject}) is not meant for TLS servers: its extended key usage lacks serverAuth.");
        }

        return new ServerVerificationException(
            ServerVerificationFailure.InvalidCertificate,
            $"The server certificate ({leaf.Subject}) does not verify with {_authorityName}: {StatusText(chain.ChainStatus)}.");
    }

    private void CheckValidity(X509Certificate2 leaf)
    {
        var now = _time.GetUtcNow();
        if (now > leaf.NotAfter.ToUniversalTime())
        {
            throw new ServerVerificationException(
                ServerVerificationFailure.Expired,
                $"The server certificate ({leaf.Subject}) expired on {Instant(leaf.NotAfter)}; it is now {Instant(now)}. The server must renew it.");
        }

        if (now < leaf.NotBefore.ToUniversalTime())
        {
            throw new ServerVerificationException(
                ServerVerificationFailure.NotYetValid,
                $"The server certificate ({leaf.Subject}) is not valid before {Instant(leaf.NotBefore)}; it is now {Instant(now)}. Check the clocks of both machines.");
        }
    }

    private static void CheckName(X509Certificate2 leaf, SslPolicyErrors errors, string? host)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            var names = SubjectAlternativeNames(leaf);
            throw new ServerVerificationException(
                ServerVerificationFailure.NameMismatch,
                $"The server certificate is for {(names.Count == 0 ? leaf.Subject : string.Join(", ", names))}, not for '{host}' that the client connected to. Connect with one of the certificate's names.");
        }
    }

    private VerifiedServer Describe(X509Certificate2 leaf, AttestationClaims? claims, PolicyDecision? decision) => new()
    {
        Mode = _mode,
        Subject = leaf.Subject,
        Issuer = leaf.Issuer,
        SubjectAlternativeNames = SubjectAlternativeNames(leaf),
        NotBefore = leaf.NotBefore.ToUniversalTime(),
        NotAfter = leaf.NotAfter.ToUniversalTime(),
        Sha256Fingerprint = Convert.ToHexStringLower(SHA256.HashData(leaf.RawData)),
        Claims = claims,
        Decision = decision,
    };

    internal static List<string> SubjectAlternativeNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(a => a.ToString()));
        }

        return names;
    }

    private static string Failures(PolicyDecision decision) => string.Join("; ", decision.Failures.Select(f => f.Message));

    private static bool IsValidAt(X509Certificate2 certificate, DateTimeOffset now) =>
        now >= certificate.NotBefore.ToUniversalTime() && now <= certificate.NotAfter.ToUniversalTime();

    private static string StatusText(IEnumerable<X509ChainStatus> status)
    {
        var text = string.Join("; ", status.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));
        return text.Length == 0 ? "no reason given" : text;
    }

    private static string Instant(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset time) => Instant(time.UtcDateTime);
}
