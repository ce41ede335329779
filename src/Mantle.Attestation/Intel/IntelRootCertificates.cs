using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.Intel;

/// <summary>The trusted roots of Intel quote verification: the built-in Intel SGX Root CA, or roots read from PEM files.</summary>
public static class IntelRootCertificates
{
    private static readonly Lazy<IReadOnlyList<X509Certificate2>> BuiltInRoots = new(LoadBuiltIn);

    /// <summary>The Intel SGX Root CA (P-256, SHA-256 fingerprint 44A0196B…FAB674D3), embedded in this assembly.</summary>
    public static IReadOnlyList<X509Certificate2> BuiltIn => BuiltInRoots.Value;

    /// <summary>Reads every certificate from the <c>*.pem</c>, <c>*.crt</c> and <c>*.cer</c> files (PEM) of a folder.</summary>
    /// <exception cref="AttestationException">The folder is missing or holds no certificate (<see cref="AttestationErrorCode.InvalidCertificateChain"/>).</exception>
    public static IReadOnlyList<X509Certificate2> LoadFolder(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new AttestationException(AttestationErrorCode.InvalidCertificateChain, $"The trusted roots folder '{path}' does not exist.");
        }

        var roots = new List<X509Certificate2>();
        foreach (var file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
        {
            var extension = Path.GetExtension(file).ToLowerInvariant();
            if (extension is not (".pem" or ".crt" or ".cer"))
            {
                continue;
            }

            try
            {
                var collection = new X509Certificate2Collection();
                collection.ImportFromPemFile(file);
                roots.AddRange(collection);
            }
            catch (CryptographicException e)
            {
                throw new AttestationException(AttestationErrorCode.InvalidCertificateChain, $"The trusted root file '{file}' is not PEM certificates ({e.Message}).", e);
            }
        }

        return roots.Count > 0
            ? roots
            : throw new AttestationException(AttestationErrorCode.InvalidCertificateChain, $"The trusted roots folder '{path}' holds no PEM certificate (*.pem, *.crt, *.cer).");
    }

    private static IReadOnlyList<X509Certificate2> LoadBuiltIn()
    {
        using var stream = typeof(IntelRootCertificates).Assembly.GetManifestResourceStream("Mantle.Attestation.Roots.Intel_SGX_RootCA.der")
            ?? throw new InvalidOperationException("The built-in Intel SGX Root CA resource is missing from the assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return [X509CertificateLoader.LoadCertificate(buffer.ToArray())];
    }
}
