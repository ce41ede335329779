using System.Collections.Concurrent;
using System.Security.Cryptography;
using Mantle.Attestation.Internal;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>
/// Certificates that may sign or certify a report: VCEK/VLEK leaves (EC keys) and ASK/ASVK
/// intermediates (RSA, not self-issued). ARKs found here are ignored: only the trust store's roots count.
/// </summary>
internal sealed class CollateralSet
{
    private const int MaxCachedCertificates = 1024;
    private static readonly ConcurrentDictionary<string, AmdCertificate> ParsedCache = new(StringComparer.Ordinal);

    private CollateralSet(List<AmdCertificate> certificates, List<X509Crl>? crls = null)
    {
        Crls = crls ?? [];
        Leaves = [.. certificates.Where(c => c.IsAmdLeaf)];
        Intermediates = [.. certificates.Where(c => !c.IsEcKey && !c.IsSelfIssued)];
    }

    public IReadOnlyList<AmdCertificate> Leaves { get; }

    public IReadOnlyList<AmdCertificate> Intermediates { get; }

    /// <summary>AMD CRLs (revoking ASKs/ASVKs), not yet checked against a root.</summary>
    public IReadOnlyList<X509Crl> Crls { get; }

    /// <summary>
    /// Reads configured collateral. Bytes and a named file must be certificates; in a folder, files that
    /// are not (evidence, Intel collateral, notes) are skipped so one folder can serve every TEE.
    /// </summary>
    public static CollateralSet Load(ReadOnlyMemory<byte> bytes, string? path, string configKey)
    {
        var certificates = new List<AmdCertificate>();
        var crls = new List<X509Crl>();
        if (!bytes.IsEmpty)
        {
            certificates.AddRange(Parse(CertificateFiles.Read(bytes.Span, "collateral bytes"), "collateral bytes"));
            crls.AddRange(CertificateFiles.ReadCrls(bytes.Span, "collateral bytes").Select(d => AmdRevocation.ParseCrl(d, "collateral bytes")));
        }

        if (path is not null)
        {
            var folder = Directory.Exists(path);
            foreach (var (file, content) in CertificateFiles.ReadPath(path, configKey))
            {
                try
                {
                    certificates.AddRange(Parse(CertificateFiles.Read(content, file), file));
                    crls.AddRange(CertificateFiles.ReadCrls(content, file).Select(d => AmdRevocation.ParseCrl(d, file)));
                }
                catch (AttestationException) when (folder)
                {
                    // Not a certificate file; see the remark above.
                }
            }
        }

        return new CollateralSet(certificates, crls);
    }

    /// <summary>Parses certificates carried in evidence, reusing earlier parses of the same bytes.</summary>
    public static CollateralSet FromEvidence(IReadOnlyList<(Guid Guid, byte[] Der)> table)
    {
        var certificates = new List<AmdCertificate>();
        foreach (var (guid, der) in table)
        {
            if (guid != SnpEvidence.VcekGuid && guid != SnpEvidence.VlekGuid && guid != SnpEvidence.AskGuid)
            {
                continue;
            }

            var key = Convert.ToHexString(SHA256.HashData(der));
            if (!ParsedCache.TryGetValue(key, out var certificate))
            {
                certificate = AmdCertificate.Parse(der, $"certificate {guid} in the evidence's certificate table");
                if (ParsedCache.Count >= MaxCachedCertificates)
                {
                    ParsedCache.Clear();
                }

                ParsedCache[key] = certificate;
            }

            certificates.Add(certificate);
        }

        return new CollateralSet(certificates);
    }

    private static List<AmdCertificate> Parse(IReadOnlyList<(Guid? Guid, byte[] Der)> entries, string source) =>
        entries
            .Where(e => e.Guid != SnpEvidence.ArkGuid)
            .Select(e => AmdCertificate.Parse(e.Der, $"collateral certificate from {source}"))
            .ToList();
}
