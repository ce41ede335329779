using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mantle.KeyBroker.Internal;

namespace Mantle.KeyBroker;

/// <summary>Creates a broker configuration folder: master key, CA, TLS certificate, token signing key, admin key and credential.</summary>
public static class BrokerInitializer
{
    /// <summary>Creates the files (each mode 0600, folder 0700) and returns the path of <c>admin.credential</c>.</summary>
    /// <exception cref="InvalidOperationException">The folder already holds a broker configuration and <see cref="BrokerInitOptions.Overwrite"/> is false.</exception>
    public static string Initialize(string directory, BrokerInitOptions? options = null)
    {
        options ??= new BrokerInitOptions();
        if (File.Exists(Path.Combine(directory, BrokerFiles.CaKey)) && !options.Overwrite)
        {
            throw new InvalidOperationException($"'{directory}' already holds a broker configuration; choose another folder or pass --force to replace it (which makes stored resources unreadable).");
        }

        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        WritePrivate(Path.Combine(directory, BrokerFiles.MasterKey), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var caRequest = new CertificateRequest("CN=Mantle broker CA", caKey, HashAlgorithmName.SHA384);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now + options.CaLifetime);
        WritePrivate(Path.Combine(directory, BrokerFiles.CaKey), caKey.ExportPkcs8PrivateKeyPem() + "\n");
        WritePrivate(Path.Combine(directory, BrokerFiles.CaCertificate), ca.ExportCertificatePem() + "\n");

        using var tlsKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var name in options.DnsNames)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        using var tls = Issue(ca, tlsKey, "CN=Mantle key broker", "1.3.6.1.5.5.7.3.1", now, now.AddDays(365), san.Build());
        WritePrivate(Path.Combine(directory, BrokerFiles.TlsKey), tlsKey.ExportPkcs8PrivateKeyPem() + "\n");
        WritePrivate(Path.Combine(directory, BrokerFiles.TlsCertificate), tls.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");

        using var tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        WritePrivate(Path.Combine(directory, BrokerFiles.TokenSigningKey), tokenKey.ExportPkcs8PrivateKeyPem() + "\n");

        using var adminKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        WritePrivate(Path.Combine(directory, BrokerFiles.AdminPublicKey), adminKey.ExportSubjectPublicKeyInfoPem() + "\n");
        using var adminCert = Issue(ca, adminKey, $"CN={Internal.Admin.AdminAuthFilter.AdminCommonNamePrefix}", "1.3.6.1.5.5.7.3.2", now, now.AddDays(365), null);

        var policy = options.AllowSim
            ? """{"version": 1, "tees": ["sim", "sgx", "tdx", "snp"], "allow_debug": false, "tcb_status": ["UpToDate"]}"""
            : """{"version": 1, "tees": ["sgx", "tdx", "snp"], "allow_debug": false, "tcb_status": ["UpToDate"]}""";
        WritePrivate(Path.Combine(directory, BrokerFiles.DefaultPolicy), policy + "\n");

        var credentialPath = Path.Combine(directory, BrokerFiles.AdminCredential);
        var credential = new AdminCredential
        {
            BrokerUrl = options.BrokerUrl,
            CaCertificatePem = ca.ExportCertificatePem() + "\n",
            AdminKeyPem = adminKey.ExportPkcs8PrivateKeyPem() + "\n",
            ClientCertificatePem = adminCert.ExportCertificatePem() + "\n",
        };
        WritePrivate(credentialPath, credential.ToJson());
        return credentialPath;
    }

    internal static void WritePrivate(string path, string text)
    {
        var temp = path + ".tmp";
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, streamOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, ECDsa key, string subject, string eku, DateTimeOffset notBefore, DateTimeOffset notAfter, X509Extension? san)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        return request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
    }
}
