using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>Reads the PEM certificate lists that Intel uses for PCK chains and issuer chains.</summary>
internal static class Pem
{
    /// <summary>Parses every certificate in PEM text, in order; returns null when there is none or one is bad.</summary>
    public static List<X509Certificate2>? TryReadCertificates(ReadOnlySpan<byte> pemBytes)
    {
        var text = Encoding.ASCII.GetString(pemBytes);
        var certificates = new List<X509Certificate2>();
        var span = text.AsSpan();
        while (PemEncoding.TryFind(span, out var fields))
        {
            if (!IsFiller(span[..fields.Location.Start.Value]))
            {
                return null;
            }

            if (span[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                try
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(span[fields.Base64Data].ToString())));
                }
                catch (Exception e) when (e is CryptographicException or FormatException)
                {
                    return null;
                }
            }

            span = span[fields.Location.End.Value..];
        }

        return certificates.Count == 0 || !IsFiller(span) ? null : certificates;
    }

    /// <summary>Only whitespace and NUL padding may surround the PEM blocks; anything else is a damaged chain.</summary>
    private static bool IsFiller(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not (' ' or '\t' or '\r' or '\n' or '\0'))
            {
                return false;
            }
        }

        return true;
    }

    public static List<X509Certificate2> ReadIssuerChain(string pem, string what) =>
        TryReadCertificates(Encoding.ASCII.GetBytes(pem))
        ?? throw IntelErrors.Collateral($"The {what} holds no valid PEM certificate. Supply the issuer chain that Intel PCS returned with it.");
}
