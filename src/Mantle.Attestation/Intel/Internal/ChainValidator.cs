using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using Mantle.Attestation.Internal;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>
/// Validates an Intel certificate chain (leaf first) to one of the trusted roots: each signature by the
/// next certificate's key, issuer names, CA constraints and validity windows at the verification time.
/// </summary>
internal static class ChainValidator
{
    /// <summary>Returns the chain from the leaf to the trusted root (the root being the trusted instance).</summary>
    public static X509Certificate2[] Validate(IReadOnlyList<X509Certificate2> presented, IReadOnlyList<X509Certificate2> roots, DateTimeOffset at, string what)
    {
        if (presented.Count == 0)
        {
            throw IntelErrors.Chain($"The {what} is empty.");
        }

        var chain = new List<X509Certificate2>(presented.Count + 1);
        X509Certificate2? anchor = null;
        var used = 0;
        for (var i = 0; i < presented.Count && anchor is null; i++)
        {
            var certificate = presented[i];
            used = i + 1;
            if (FindTrusted(certificate, roots) is { } trusted)
            {
                anchor = trusted;
                break;
            }

            chain.Add(certificate);
            var next = i + 1 < presented.Count && IsIssuer(presented[i + 1], certificate) ? presented[i + 1] : null;
            var issuer = next ?? FindTrustedIssuer(certificate, roots)
                ?? throw IntelErrors.Chain($"The {what} does not chain to a trusted Intel SGX root: no issuer for '{certificate.Subject}'. Check that the evidence comes from Intel hardware, or configure the matching root certificates.");

            CheckIssuedBy(certificate, issuer, what);
            if (FindTrusted(issuer, roots) is { } root)
            {
                anchor = root;
                used = next is null ? i + 1 : i + 2;
            }
        }

        if (anchor is null)
        {
            throw IntelErrors.Chain($"The {what} ends without reaching a trusted Intel SGX root.");
        }

        if (used != presented.Count)
        {
            throw IntelErrors.Chain($"The {what} holds {presented.Count - used} certificate(s) after the trusted root that are not part of the path; the chain was altered.");
        }

        chain.Add(anchor);
        X509Certificate2[] result = [.. chain];
        CheckWindows(result, at, what);
        return result;
    }

    public static void CheckWindows(X509Certificate2[] chain, DateTimeOffset at, string what)
    {
        foreach (var certificate in chain)
        {
            CheckValidity(certificate, at, what);
        }
    }

    private static X509Certificate2? FindTrusted(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> roots)
    {
        foreach (var root in roots)
        {
            if (root.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
            {
                return root;
            }
        }

        return null;
    }

    private static X509Certificate2? FindTrustedIssuer(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> roots)
    {
        foreach (var root in roots)
        {
            if (IsIssuer(root, certificate) && VerifySignature(certificate, root))
            {
                return root;
            }
        }

        return null;
    }

    private static bool IsIssuer(X509Certificate2 issuer, X509Certificate2 subject) =>
        issuer.SubjectName.RawData.AsSpan().SequenceEqual(subject.IssuerName.RawData);

    private static void CheckIssuedBy(X509Certificate2 certificate, X509Certificate2 issuer, string what)
    {
        if (!IsCa(issuer))
        {
            throw IntelErrors.Chain($"In the {what}, '{issuer.Subject}' issues certificates but is not a CA certificate.");
        }

        if (!VerifySignature(certificate, issuer))
        {
            throw IntelErrors.Chain($"In the {what}, the signature of '{certificate.Subject}' does not verify with the key of '{issuer.Subject}'; the certificate was altered or forged.");
        }
    }

    /// <summary>True when <paramref name="issuer"/>'s ECDSA key made the CRL's ecdsa-with-SHA256 signature.</summary>
    public static bool VerifySignature(X509Crl crl, X509Certificate2 issuer)
    {
        using var key = issuer.GetECDsaPublicKey();
        return key is not null && crl.Signed.VerifyWith(key);
    }

    public static bool VerifySignature(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        try
        {
            using var key = issuer.GetECDsaPublicKey();
            return key is not null && SignedDer.Parse(certificate.RawDataMemory).VerifyWith(key);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions["2.5.29.19"] is X509BasicConstraintsExtension { CertificateAuthority: true };

    private static void CheckValidity(X509Certificate2 certificate, DateTimeOffset at, string what)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (at < notBefore || at > notAfter)
        {
            throw IntelErrors.Chain($"In the {what}, '{certificate.Subject}' is valid from {notBefore:u} to {notAfter:u}, not at the verification time {at:u}.");
        }
    }
}
