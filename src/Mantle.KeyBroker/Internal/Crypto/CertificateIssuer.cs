using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Internal.Crypto;

/// <summary>Turns a PKCS#10 request for the attested TEE key into a server certificate signed by the broker CA.</summary>
internal sealed class CertificateIssuer(BrokerKeys keys, IOptions<KeyBrokerOptions> options, TimeProvider time)
{
    public CertificateOutcome Issue(string csrPem, TokenContents token, IReadOnlyList<string> allowedDnsPatterns)
    {
        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA384, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return CertificateOutcome.Bad("The body is not a PEM PKCS#10 certificate request with a valid self-signature.");
        }

        var requestKey = TeePublicKey.FromCertificateRequestKey(new PublicKeyInfo(request.PublicKey.GetECDsaPublicKey(), request.PublicKey.GetRSAPublicKey()));
        if (requestKey is null)
        {
            return CertificateOutcome.Bad("The certificate request's key must be EC P-384 or RSA, the same key as the attested TEE key.");
        }

        if (!CryptographicOperations.FixedTimeEquals(requestKey.Thumbprint, token.Key.Thumbprint))
        {
            return CertificateOutcome.Refused(
                $"The certificate request's key (thumbprint {requestKey.ThumbprintText}) is not the attested TEE key (thumbprint {token.Key.ThumbprintText}); make the request with the key that was attested.");
        }

        var dnsNames = new List<string>();
        foreach (var ext in request.CertificateExtensions)
        {
            if (ext.Oid?.Value == "2.5.29.17")
            {
                dnsNames.AddRange(new X509SubjectAlternativeNameExtension(ext.RawData).EnumerateDnsNames());
            }
        }

        if (dnsNames.Count == 0)
        {
            return CertificateOutcome.Bad("The certificate request names no DNS name; add a subjectAltName extension with the server's DNS names.");
        }

        foreach (var name in dnsNames)
        {
            if (!allowedDnsPatterns.Any(p => DnsMatches(p, name)))
            {
                return CertificateOutcome.Refused(
                    $"DNS name '{name}' is not allowed by the certificate policy (allowed: {string.Join(", ", allowedDnsPatterns)}); change the request or the policy with 'mantle broker policy set --certificate'.");
            }
        }

        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(dnsNames[0]);
        var leaf = new CertificateRequest(subject.Build(), request.PublicKey, HashAlgorithmName.SHA384);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        leaf.CertificateExtensions.Add(san.Build());
        leaf.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = X509KeyUsageFlags.DigitalSignature | (requestKey.Rsa is null ? X509KeyUsageFlags.None : X509KeyUsageFlags.KeyEncipherment);
        leaf.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        leaf.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        leaf.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(leaf.PublicKey, false));
        leaf.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(keys.Ca, true, false));
        foreach (var extension in BrokerCertificateClaims.CreateExtensions(token.Claims))
        {
            leaf.CertificateExtensions.Add(extension);
        }

        var notBefore = time.GetUtcNow().AddMinutes(-1);
        var notAfter = notBefore + options.Value.CertificateLifetime;
        if (notAfter > keys.Ca.NotAfter)
        {
            notAfter = keys.Ca.NotAfter;
        }

        using var cert = leaf.Create(keys.Ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return new CertificateOutcome(cert.ExportCertificatePem() + "\n" + keys.CaPem, null, false, dnsNames, cert.NotAfter);
    }

    /// <summary>Wildcards match exactly one leftmost label (<c>*.svc.example</c> matches <c>a.svc.example</c>, not <c>a.b.svc.example</c>).</summary>
    public static bool DnsMatches(string pattern, string name)
    {
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && string.Equals(name[(dot + 1)..], pattern[2..], StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
    }
}

internal sealed record CertificateOutcome(string? Pem, string? Problem, bool IsRefusal, IReadOnlyList<string> DnsNames, DateTime NotAfter)
{
    public static CertificateOutcome Bad(string problem) => new(null, problem, false, [], default);

    public static CertificateOutcome Refused(string problem) => new(null, problem, true, [], default);
}
