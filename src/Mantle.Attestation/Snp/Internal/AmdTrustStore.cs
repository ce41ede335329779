using System.Reflection;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>
/// The trusted AMD roots (ARKs) and the signing keys they certify (ASK, ASVK): built into the assembly,
/// or read from a folder of PEM/DER files that replaces them.
/// </summary>
internal sealed class AmdTrustStore
{
    private AmdTrustStore(IReadOnlyList<AmdCertificate> roots, IReadOnlyList<AmdCertificate> intermediates, string origin)
    {
        Roots = roots;
        Intermediates = intermediates;
        Origin = origin;
    }

    /// <summary>Self-signed ARKs whose self-signature verified.</summary>
    public IReadOnlyList<AmdCertificate> Roots { get; }

    /// <summary>ASKs and ASVKs from the same source (they still have to chain to a root).</summary>
    public IReadOnlyList<AmdCertificate> Intermediates { get; }

    /// <summary>Where the roots came from, for messages.</summary>
    public string Origin { get; }

    public static AmdTrustStore BuiltIn()
    {
        var assembly = typeof(AmdTrustStore).Assembly;
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Mantle.Attestation.Roots.amd_", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n, ReadResource(assembly, n)));
        return Create(files, "the built-in AMD roots");
    }

    public static AmdTrustStore FromFolder(string folder, string configKey)
    {
        if (!Directory.Exists(folder))
        {
            throw new AttestationException(AttestationErrorCode.InvalidCertificateChain,
                $"{configKey}: the roots folder '{folder}' does not exist.");
        }

        var store = Create(CertificateFiles.ReadPath(folder, configKey), $"the roots folder '{folder}'");
        if (store.Roots.Count == 0)
        {
            throw new AttestationException(AttestationErrorCode.InvalidCertificateChain,
                $"{configKey}: the roots folder '{folder}' holds no self-signed AMD root (ARK) certificate.");
        }

        return store;
    }

    private static AmdTrustStore Create(IEnumerable<(string Name, byte[] Bytes)> files, string origin)
    {
        var roots = new List<AmdCertificate>();
        var intermediates = new List<AmdCertificate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, bytes) in files)
        {
            foreach (var (_, der) in CertificateFiles.Read(bytes, name))
            {
                var certificate = AmdCertificate.Parse(der, $"root file '{name}'");
                if (!seen.Add(certificate.Thumbprint))
                {
                    continue;
                }

                if (certificate.IsSelfIssued && certificate.IsCa && certificate.IsSignedBy(certificate))
                {
                    roots.Add(certificate);
                }
                else if (!certificate.IsEcKey && certificate.IsCa)
                {
                    intermediates.Add(certificate);
                }
            }
        }

        return new AmdTrustStore(roots, intermediates, origin);
    }

    private static byte[] ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
