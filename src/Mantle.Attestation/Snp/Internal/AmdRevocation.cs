using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using Mantle.Attestation.Internal;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>
/// Checks the ASK/ASVK of a chain against the CRLs its ARK signed. CRL signatures are checked once, when
/// the verifier is created; their validity window on every verification.
/// </summary>
internal sealed class AmdRevocation
{
    private readonly Dictionary<string, List<X509Crl>> _byRoot = new(StringComparer.Ordinal);
    private readonly bool _required;

    public AmdRevocation(AmdTrustStore store, IReadOnlyList<X509Crl> crls, bool required)
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

            if (!IsSignedBy(crl, root))
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

        if (current.Any(c => c.IsRevoked(chain.Intermediate.Certificate)))
        {
            throw new AttestationException(AttestationErrorCode.Revoked,
                $"The AMD signing key '{chain.Intermediate.CommonName}' (serial {chain.Intermediate.Certificate.SerialNumber}) is revoked by the CRL of " +
                $"'{chain.Root.CommonName}'; reports certified through it cannot be trusted.");
        }
    }

    /// <summary>Parses an AMD CRL (KDS <c>/vcek/v1/{product}/crl</c>, <c>/vlek/v1/{product}/crl</c>), or refuses the collateral naming it.</summary>
    /// <exception cref="AttestationException">The bytes are not a DER X.509 CRL.</exception>
    public static X509Crl ParseCrl(byte[] der, string source) =>
        X509Crl.TryParse(der, out var crl, out var problem)
            ? crl!
            : throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"The CRL from {source} is not a readable X.509 CRL ({problem}); supply the DER or PEM CRL as AMD KDS serves it.");

    /// <summary>True when <paramref name="root"/> issued the CRL and its RSASSA-PSS SHA-384 signature verifies.</summary>
    private static bool IsSignedBy(X509Crl crl, AmdCertificate root)
    {
        if (!AmdCertificate.IsPssSha384(crl.Signed.AlgorithmIdentifier.Span) || !crl.IsIssuedBy(root.Certificate))
        {
            return false;
        }

        using var key = root.Certificate.GetRSAPublicKey();
        return key is not null && key.VerifyData(crl.Signed.ToBeSigned.Span, crl.Signed.Signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
    }
}
