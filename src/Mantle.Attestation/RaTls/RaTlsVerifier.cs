using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mantle.Attestation.Policy;
using Mantle.Attestation.RaTls.Internal;

namespace Mantle.Attestation.RaTls;

/// <summary>
/// Verifies RA-TLS certificates: the interoperable evidence extension (2.23.133.5.4.9, CBOR tag 60000, as
/// written by Gramine, the Intel SGX SDK, rats-tls and Mantle) and Gramine's legacy quote extension.
/// Checks the certificate's validity period and (when self-issued) its signature, the binding of each
/// piece of evidence to the certificate's key, and the evidence itself through an <see cref="EvidenceVerifier"/>.
/// </summary>
public sealed class RaTlsVerifier
{
    private static readonly byte[] EvidenceOid = CertificateParts.OidContent(RaTlsCertificate.EvidenceExtensionOid);
    private static readonly byte[] LegacyOid = CertificateParts.OidContent(RaTlsCertificate.LegacyQuoteExtensionOid);

    // Gramine encodes the legacy OID with its own tag and length inside the OID value.
    private static readonly byte[] GramineLegacyOid = [0x06, 0x09, .. LegacyOid];

    private readonly EvidenceVerifier _evidence;
    private readonly TimeProvider _time;

    /// <summary>Creates a verifier that checks evidence with <paramref name="evidence"/> and certificate validity at <paramref name="timeProvider"/>'s time (default: now).</summary>
    public RaTlsVerifier(EvidenceVerifier evidence, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        _evidence = evidence;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Loads a certificate from PEM text or DER bytes.</summary>
    /// <exception cref="AttestationException">The bytes are not a certificate (<see cref="AttestationErrorCode.MalformedEvidence"/>).</exception>
    public static X509Certificate2 LoadCertificate(ReadOnlySpan<byte> pemOrDer)
    {
        try
        {
            if (pemOrDer.IndexOf("-----BEGIN CERTIFICATE-----"u8) >= 0)
            {
                return X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(pemOrDer));
            }

            return X509CertificateLoader.LoadCertificate(pemOrDer);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or FormatException)
        {
            throw new AttestationException(AttestationErrorCode.MalformedEvidence, "The input is not an X.509 certificate in PEM or DER form.", ex);
        }
    }

    /// <summary>Verifies the certificate and returns the claims of its evidence.</summary>
    /// <exception cref="AttestationException">The certificate or its evidence was refused; the message says why.</exception>
    public async ValueTask<RaTlsResult> VerifyAsync(X509Certificate2 certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        CertificateParts parts;
        try
        {
            parts = CertificateParts.Parse(certificate.RawData);
        }
        catch (Exception ex) when (ex is not AttestationException and not OutOfMemoryException)
        {
            throw new AttestationException(AttestationErrorCode.MalformedEvidence, "The certificate could not be parsed.", ex);
        }

        CheckValidity(certificate);
        if (parts.Issuer.AsSpan().SequenceEqual(parts.Subject) && !IsSelfSigned(parts, certificate))
        {
            throw new AttestationException(AttestationErrorCode.InvalidSignature, "The self-signed RA-TLS certificate's signature does not verify with its own key: the certificate was altered.");
        }

        byte[]? evidenceExtension = null;
        byte[]? legacyExtension = null;
        foreach (var (oid, value) in parts.Extensions)
        {
            if (oid.AsSpan().SequenceEqual(EvidenceOid))
            {
                evidenceExtension = evidenceExtension is null ? value : throw Duplicate(RaTlsCertificate.EvidenceExtensionOid);
            }
            else if (oid.AsSpan().SequenceEqual(LegacyOid) || oid.AsSpan().SequenceEqual(GramineLegacyOid))
            {
                legacyExtension = legacyExtension is null ? value : throw Duplicate(RaTlsCertificate.LegacyQuoteExtensionOid);
            }
        }

        if (evidenceExtension is null && legacyExtension is null)
        {
            throw new AttestationException(
                AttestationErrorCode.MalformedEvidence,
                $"The certificate carries no RA-TLS evidence: neither extension {RaTlsCertificate.EvidenceExtensionOid} nor the legacy quote extension {RaTlsCertificate.LegacyQuoteExtensionOid}.");
        }

        var spkiHash = SHA256.HashData(parts.SubjectPublicKeyInfo);
        AttestationClaims? claims = null;
        byte[]? nonce = null;
        if (evidenceExtension is not null)
        {
            var (evidence, claimsBuffer) = RaTlsEvidenceExtension.Decode(evidenceExtension);
            var (algorithm, pubkeyHash, claimNonce) = RaTlsClaimsBuffer.Decode(claimsBuffer);
            if (!CryptographicOperations.FixedTimeEquals(pubkeyHash, RaTlsClaimsBuffer.Hash(algorithm, parts.SubjectPublicKeyInfo)))
            {
                throw new AttestationException(
                    AttestationErrorCode.ReportDataMismatch,
                    "The RA-TLS pubkey-hash claim does not match the certificate's public key: the evidence was made for another key.");
            }

            claims = await _evidence.VerifyAsync(evidence, cancellationToken).ConfigureAwait(false);
            CheckBinding(claims, SHA256.HashData(claimsBuffer), "SHA-256 of the RA-TLS claims (extension " + RaTlsCertificate.EvidenceExtensionOid + ")");
            nonce = claimNonce;
        }

        if (legacyExtension is not null)
        {
            var legacyClaims = await _evidence.VerifyAsync(legacyExtension, cancellationToken).ConfigureAwait(false);
            CheckBinding(legacyClaims, spkiHash, "SHA-256 of the certificate's public key (legacy quote extension)");
            if (claims is not null && (claims.Tee != legacyClaims.Tee
                || !string.Equals(claims.Measurement, legacyClaims.Measurement, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(claims.Signer, legacyClaims.Signer, StringComparison.OrdinalIgnoreCase)))
            {
                throw new AttestationException(
                    AttestationErrorCode.ReportDataMismatch,
                    "The two RA-TLS extensions carry evidence of different code (TEE, measurement or signer differ).");
            }

            claims ??= legacyClaims;
        }

        return new RaTlsResult
        {
            Claims = claims!,
            HasEvidenceExtension = evidenceExtension is not null,
            HasLegacyExtension = legacyExtension is not null,
            PublicKeyHash = Convert.ToHexStringLower(spkiHash),
            Nonce = nonce,
        };
    }

    /// <summary>Verifies the certificate, then evaluates the policy; a refusal by the policy is a result with <see cref="RaTlsResult.Allowed"/> false.</summary>
    /// <exception cref="AttestationException">The certificate or its evidence was refused.</exception>
    public async ValueTask<RaTlsResult> VerifyAsync(X509Certificate2 certificate, AttestationPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var result = await VerifyAsync(certificate, cancellationToken).ConfigureAwait(false);
        return new RaTlsResult
        {
            Claims = result.Claims,
            HasEvidenceExtension = result.HasEvidenceExtension,
            HasLegacyExtension = result.HasLegacyExtension,
            PublicKeyHash = result.PublicKeyHash,
            Nonce = result.Nonce,
            Decision = policy.Evaluate(result.Claims),
        };
    }

    private void CheckValidity(X509Certificate2 certificate)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            throw new AttestationException(
                AttestationErrorCode.InvalidCertificateChain,
                $"The RA-TLS certificate is valid from {certificate.NotBefore.ToUniversalTime():O} to {certificate.NotAfter.ToUniversalTime():O}, not at the verification time {now:O}.");
        }
    }

    private static bool IsSelfSigned(CertificateParts parts, X509Certificate2 certificate)
    {
        try
        {
            return parts.IsSignedBy(certificate);
        }
        catch (CryptographicException ex)
        {
            throw new AttestationException(AttestationErrorCode.MalformedEvidence, "The certificate's public key or signature cannot be read.", ex);
        }
    }

    private static void CheckBinding(AttestationClaims claims, byte[] expected, string what)
    {
        var reportData = claims.ReportData.Span;
        if (reportData.Length < 32 || !CryptographicOperations.FixedTimeEquals(reportData[..32], expected))
        {
            throw new AttestationException(
                AttestationErrorCode.ReportDataMismatch,
                $"The evidence's report data does not start with the {what}: the evidence does not vouch for this certificate's key.");
        }
    }

    private static AttestationException Duplicate(string oid) =>
        new(AttestationErrorCode.MalformedEvidence, $"The certificate carries extension {oid} more than once.");
}
