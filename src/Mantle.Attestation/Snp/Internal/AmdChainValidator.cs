using System.Collections.Concurrent;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>A VCEK or VLEK whose signatures chained to a trusted ARK.</summary>
internal sealed record AmdChain(AmdCertificate Leaf, AmdCertificate Intermediate, AmdCertificate Root, SnpProduct Product);

/// <summary>
/// Builds VCEK → ASK → ARK (VLEK → ASVK → ARK) with RSASSA-PSS SHA-384 signatures. Signature results
/// are cached by leaf thumbprint (they never change for a fixed set of roots); validity periods are
/// checked on every call because they depend on the verification time.
/// </summary>
internal sealed class AmdChainValidator(AmdTrustStore store)
{
    private const int MaxCacheEntries = 4096;
    private readonly ConcurrentDictionary<string, AmdChain> _cache = new(StringComparer.Ordinal);

    public AmdTrustStore Store => store;

    public AmdChain Validate(AmdCertificate leaf, IEnumerable<AmdCertificate> extraIntermediates, DateTimeOffset time)
    {
        if (!_cache.TryGetValue(leaf.Thumbprint, out var chain))
        {
            chain = Build(leaf, extraIntermediates);
            if (_cache.Count >= MaxCacheEntries)
            {
                _cache.Clear();
            }

            _cache[leaf.Thumbprint] = chain;
        }

        foreach (var (certificate, role) in new[] { (chain.Leaf, LeafName(leaf)), (chain.Intermediate, chain.Intermediate.CommonName), (chain.Root, chain.Root.CommonName) })
        {
            if (!certificate.IsValidAt(time))
            {
                throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                    $"The {role} certificate is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not at the verification time {time:u}; " +
                    "verify at a time inside that window or obtain current certificates from AMD KDS.");
            }
        }

        return chain;
    }

    private AmdChain Build(AmdCertificate leaf, IEnumerable<AmdCertificate> extraIntermediates)
    {
        var leafName = LeafName(leaf);
        var issuers = store.Intermediates.Concat(extraIntermediates)
            .Where(c => !c.IsEcKey && c.IsCa && c.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(leaf.Certificate.IssuerName.RawData))
            .DistinctBy(c => c.Thumbprint)
            .ToList();
        if (issuers.Count == 0)
        {
            throw new AttestationException(AttestationErrorCode.InvalidCertificateChain,
                $"The {leafName} certificate was issued by '{leaf.Certificate.Issuer}', but no such AMD signing key (ASK/ASVK) is known " +
                $"under {store.Origin}; the certificate belongs to another product line or is not from AMD.");
        }

        foreach (var issuer in issuers)
        {
            if (!leaf.IsSignedBy(issuer))
            {
                continue;
            }

            // VCEKs are certified by the ASK ("SEV-<product>"), VLEKs by the ASVK ("SEV-VLEK-<product>").
            if (issuer.IsVlek != leaf.IsVlek)
            {
                throw new AttestationException(AttestationErrorCode.InvalidCertificateChain,
                    $"The {leafName} certificate was issued by '{issuer.CommonName}', which certifies {(issuer.IsVlek ? "VLEKs" : "VCEKs")} only.");
            }

            foreach (var root in store.Roots)
            {
                if (issuer.IsSignedBy(root))
                {
                    return new AmdChain(leaf, issuer, root, SnpProducts.Parse(root.CommonName));
                }
            }

            throw new AttestationException(AttestationErrorCode.InvalidCertificateChain,
                $"The signing key '{issuer.CommonName}' that issued the {leafName} does not chain to a trusted AMD root (ARK) under {store.Origin}.");
        }

        throw new AttestationException(AttestationErrorCode.InvalidCertificateChain,
            $"The {leafName} certificate's RSASSA-PSS SHA-384 signature does not verify with '{issuers[0].CommonName}'; the certificate is not from AMD or was altered.");
    }

    private static string LeafName(AmdCertificate leaf) => leaf.IsVlek ? "VLEK" : "VCEK";
}
