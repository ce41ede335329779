using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation.RaTls.Internal;

namespace Mantle.Attestation.RaTls;

/// <summary>
/// Creates interoperable RA-TLS certificates: a self-signed X.509 certificate for a key generated in
/// this process, with extension <see cref="EvidenceExtensionOid"/> holding CBOR tag 60000
/// <c>[evidence, claims]</c>, where <c>claims = {"pubkey-hash": [1, SHA-256(SubjectPublicKeyInfo DER)]}</c>
/// (CBOR-encoded byte strings) and the evidence's <c>report_data[0:32] = SHA-256(claims)</c>.
/// </summary>
public static class RaTlsCertificate
{
    /// <summary>The OID of the evidence extension (TCG DICE tagged evidence): <c>2.23.133.5.4.9</c>.</summary>
    public const string EvidenceExtensionOid = "2.23.133.5.4.9";

    /// <summary>The OID of Gramine's legacy SGX quote extension: <c>1.2.840.113741.1337.6</c> (Gramine writes it as DER bytes <c>06 09 2A 86 48 86 F8 4D 8A 39 06</c>).</summary>
    public const string LegacyQuoteExtensionOid = "1.2.840.113741.1337.6";

    /// <summary>The CBOR tag that wraps <c>[evidence, claims]</c>.</summary>
    public const ulong EvidenceCborTag = RaTlsEvidenceExtension.Tag;

    /// <summary>
    /// Generates a key, obtains evidence bound to it from <paramref name="provider"/> and returns the
    /// self-signed certificate with its private key.
    /// </summary>
    /// <exception cref="AttestationException">The provider could not produce evidence.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static async Task<X509Certificate2> CreateAsync(
        IEvidenceProvider provider,
        RaTlsCertificateOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        options ??= new RaTlsCertificateOptions();
        var curve = options.KeySize switch
        {
            384 => ECCurve.NamedCurves.nistP384,
            256 => ECCurve.NamedCurves.nistP256,
            _ => throw new ArgumentException($"RaTlsCertificateOptions.KeySize must be 256 or 384, not {options.KeySize}.", nameof(options)),
        };
        if (options.Lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("RaTlsCertificateOptions.Lifetime must be positive.", nameof(options));
        }

        using var key = ECDsa.Create(curve);
        var spki = key.ExportSubjectPublicKeyInfo();
        var claims = RaTlsClaimsBuffer.Encode(spki, options.Nonce);
        var evidence = await provider.GetEvidenceAsync(SHA256.HashData(claims), cancellationToken).ConfigureAwait(false);

        var hash = options.KeySize == 384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        var request = new CertificateRequest(options.SubjectName, key, hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (options.DnsNames.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in options.DnsNames)
            {
                names.AddDnsName(name);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509Extension(EvidenceExtensionOid, RaTlsEvidenceExtension.Encode(evidence, claims), false));
        var now = options.TimeProvider.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-1), now.Add(options.Lifetime));

        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
