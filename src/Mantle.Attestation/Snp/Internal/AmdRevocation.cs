using System.Numerics;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>
/// Checks the ASK/ASVK of a chain against the CRLs its ARK signed. CRL signatures are checked once, when
/// the verifier is created; their validity window on every verification.
/// </summary>
internal sealed class AmdRevocation
{
    private readonly Dictionary<string, List<AmdCrl>> _byRoot = new(StringComparer.Ordinal);
    private readonly bool _required;

    public AmdRevocation(AmdTrustStore store, IReadOnlyList<AmdCrl> crls, bool required)
    {
        _required = required;
        foreach (var crl in crls)
        {
            // CRLs of other issuers (an Intel CRL in a shared collateral folder) are not ours to judge.
            var root = store.Roots.FirstOrDefault(r => r.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(crl.Issuer));
            if (root is null)
            {
                continue;
            }

            if (!crl.IsSignedBy(root))
            {
                throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                    $"A CRL names '{root.CommonName}' as its issuer, but its RSASSA-PSS SHA-384 signature does not verify with that root; " +
                    "the CRL was altered or is not from AMD.");
            }

            if (!_byRoot.TryGetValue(root.Thumbprint, out var list))
            {
                _byRoot[root.Thumbprint] = list = [];
            }

            list.Add(crl);
        }
    }

    public void Check(AmdChain chain, DateTimeOffset time)
    {
        if (!_byRoot.TryGetValue(chain.Root.Thumbprint, out var crls))
        {
            if (_required)
            {
                throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                    $"{SnpVerifierOptions.SectionName}:RequireCrl is set, but no CRL of '{chain.Root.CommonName}' was supplied; " +
                    $"add the CRL from AMD KDS (/vcek/v1/{chain.Product.ToName()}/crl or /vlek/v1/{chain.Product.ToName()}/crl) to the collateral.");
            }

            return;
        }

        var current = crls.Where(c => c.IsValidAt(time)).ToList();
        if (current.Count == 0)
        {
            var newest = crls.MaxBy(c => c.ThisUpdate)!;
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"The CRL of '{chain.Root.CommonName}' is valid from {newest.ThisUpdate:u} to {newest.NextUpdate:u}, not at the verification time {time:u}; " +
                "obtain a current CRL from AMD KDS.");
        }

        var serial = new BigInteger(chain.Intermediate.Certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true);
        if (current.Any(c => c.RevokedSerials.Contains(serial)))
        {
            throw new AttestationException(AttestationErrorCode.Revoked,
                $"The AMD signing key '{chain.Intermediate.CommonName}' (serial {chain.Intermediate.Certificate.SerialNumber}) is revoked by the CRL of " +
                $"'{chain.Root.CommonName}'; reports certified through it cannot be trusted.");
        }
    }
}
