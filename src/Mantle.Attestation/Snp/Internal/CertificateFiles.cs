using System.Text;
using Mantle.Attestation.Internal;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>Reads certificates from PEM text, a DER certificate or a GHCB certificate table.</summary>
internal static class CertificateFiles
{
    private const int MaxFileBytes = 1 << 20;

    /// <summary>Returns the DER certificates in the bytes, each with the table GUID when it came from a certificate table.</summary>
    public static IReadOnlyList<(Guid? Guid, byte[] Der)> Read(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.IsEmpty)
        {
            return [];
        }

        if (bytes.IndexOf("-----BEGIN"u8) >= 0)
        {
            return [.. ReadPem(Encoding.ASCII.GetString(bytes), source).Select(der => ((Guid?)null, der))];
        }

        if (bytes[0] == 0x30)
        {
            var der = bytes.ToArray();
            return X509Crl.LooksLikeCrl(der) ? [] : [(null, der)];
        }

        try
        {
            return [.. SnpEvidenceReader.ReadCertificateTable(bytes).Select(e => ((Guid?)e.Guid, e.Der))];
        }
        catch (AttestationException ex)
        {
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"SEV-SNP collateral '{source}' is neither a PEM or DER certificate nor a certificate table: {ex.Message}", ex);
        }
    }

    /// <summary>Returns the CRLs in the bytes: PEM <c>X509 CRL</c> blocks or one DER CRL.</summary>
    public static IReadOnlyList<byte[]> ReadCrls(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.IndexOf("-----BEGIN X509 CRL"u8) >= 0)
        {
            return [.. ReadPem(Encoding.ASCII.GetString(bytes), source, "X509 CRL")];
        }

        var der = bytes.ToArray();
        return bytes.Length > 0 && bytes[0] == 0x30 && X509Crl.LooksLikeCrl(der) ? [der] : [];
    }

    public static IEnumerable<byte[]> ReadPem(string text, string source, string wanted = "CERTIFICATE")
    {
        var remaining = text.AsMemory();
        while (System.Security.Cryptography.PemEncoding.TryFind(remaining.Span, out var fields))
        {
            var label = remaining.Span[fields.Label];
            if (label.SequenceEqual(wanted))
            {
                var der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(remaining.Span[fields.Base64Data], der, out var written) || written != der.Length)
                {
                    throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                        $"A PEM {wanted} in '{source}' has invalid base64 content.");
                }

                yield return der;
            }

            remaining = remaining[fields.Location.End..];
        }
    }

    /// <summary>Reads a file, or every regular file of a folder, refusing files too large to be certificates.</summary>
    public static IEnumerable<(string Path, byte[] Bytes)> ReadPath(string path, string configKey)
    {
        IEnumerable<string> files;
        if (Directory.Exists(path))
        {
            files = Directory.EnumerateFiles(path).Order(StringComparer.Ordinal);
        }
        else if (File.Exists(path))
        {
            files = [path];
        }
        else
        {
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"{configKey}: '{path}' is neither a file nor a folder.");
        }

        foreach (var file in files)
        {
            var length = new FileInfo(file).Length;
            if (length > MaxFileBytes)
            {
                throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                    $"{configKey}: '{file}' is {length} bytes, too large for certificates (limit {MaxFileBytes}).");
            }

            yield return (file, File.ReadAllBytes(file));
        }
    }
}
