using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Client.Tests.Trust;

/// <summary>CAs, server and client certificates made in memory for TLS tests; every one with its private key.</summary>
internal static class TestCertificates
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = request.CreateSelfSigned(now.AddDays(-30), now.AddDays(30));
        return WithUsableKey(ca);
    }

    /// <summary>A server certificate for localhost and 127.0.0.1 (or <paramref name="dnsName"/> only), valid from <paramref name="from"/> for <paramref name="lifetime"/>.</summary>
    public static X509Certificate2 IssueServer(X509Certificate2 ca, IEnumerable<X509Extension>? extensions = null, DateTimeOffset? from = null, TimeSpan? lifetime = null, string? dnsName = null)
    {
        var names = new SubjectAlternativeNameBuilder();
        if (dnsName is null)
        {
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
        }
        else
        {
            names.AddDnsName(dnsName);
        }

        return Issue(ca, "CN=" + (dnsName ?? "localhost"), ServerAuth, names.Build(), extensions ?? [], from ?? DateTimeOffset.UtcNow.AddMinutes(-5), lifetime ?? TimeSpan.FromDays(1));
    }

    public static X509Certificate2 IssueClient(X509Certificate2 ca, string name) =>
        Issue(ca, "CN=" + name, ClientAuth, null, [], DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromDays(1));

    /// <summary>Writes the certificate as PEM, and its key as PKCS#8 PEM when <paramref name="keyPath"/> is given.</summary>
    public static void WritePem(X509Certificate2 certificate, string path, string? keyPath = null)
    {
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
        if (keyPath is not null)
        {
            using var key = certificate.GetECDsaPrivateKey()!;
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        }
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, string usage, X509Extension? names, IEnumerable<X509Extension> extensions, DateTimeOffset from, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (names is not null)
        {
            request.CertificateExtensions.Add(names);
        }

        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        using var issued = request.Create(ca, from, from + lifetime, RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(key);
        return WithUsableKey(withKey);
    }

    // A PKCS#12 round trip gives a key that SslStream can use.
    private static X509Certificate2 WithUsableKey(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
}
