using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Mantle.Client.Certificates;

/// <summary>
/// A CA, a server certificate and a client certificate for mutual TLS (ECDSA P-384, PEM), the material an owner gives a
/// server deployed with static TLS (and may seal). Save writes <c>ca.crt</c>, <c>ca.key</c>, <c>server.crt</c>,
/// <c>server.key</c>, <c>client.crt</c>, <c>client.key</c>; private keys with mode 0600.
/// </summary>
public sealed class TlsMaterial
{
    private TlsMaterial(IReadOnlyDictionary<string, string> files, IReadOnlyList<string> serverNames)
    {
        Files = files;
        ServerNames = serverNames;
    }

    /// <summary>File name → PEM text.</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    /// <summary>The subject alternative names in the server certificate.</summary>
    public IReadOnlyList<string> ServerNames { get; }

    /// <summary>Creates a fresh CA and the certificates it signs.</summary>
    /// <exception cref="ArgumentException">A name is empty or a validity is not positive.</exception>
    public static TlsMaterial Create(TlsMaterialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ServerName);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ClientName);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ValidityDays, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CaValidityDays, options.ValidityDays);

        var now = options.TimeProvider.GetUtcNow().AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var caRequest = new CertificateRequest(Name("Mantle owner CA"), caKey, HashAlgorithmName.SHA384);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now.AddDays(options.CaValidityDays));

        var names = new List<string> { options.ServerName };
        if (options.ServerName.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            names.AddRange(["127.0.0.1", "::1"]);
        }

        names.AddRange(options.ExtraServerNames);
        names = names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var sans = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                sans.AddIpAddress(address);
            }
            else
            {
                sans.AddDnsName(name);
            }
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ca.crt"] = ca.ExportCertificatePem() + "\n",
            ["ca.key"] = caKey.ExportPkcs8PrivateKeyPem() + "\n",
        };
        Leaf(ca, options.ServerName, sans.Build(), "1.3.6.1.5.5.7.3.1", now, options.ValidityDays, "server", files);
        Leaf(ca, options.ClientName, null, "1.3.6.1.5.5.7.3.2", now, options.ValidityDays, "client", files);
        return new TlsMaterial(files, names);
    }

    /// <summary>The files of this set that exist already in <paramref name="directory"/>.</summary>
    public IReadOnlyList<string> ExistingFiles(string directory) =>
        Files.Keys.Where(name => File.Exists(Path.Combine(directory, name))).ToList();

    /// <summary>Writes the files into <paramref name="directory"/> (created if needed); never overwrites.</summary>
    /// <exception cref="IOException">A file of the set exists already; the message names them.</exception>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var existing = ExistingFiles(directory);
        if (existing.Count > 0)
        {
            throw new IOException(ExistsMessage(directory, existing));
        }

        foreach (var (name, pem) in Files)
        {
            var path = Path.Combine(directory, name);
            if (name.EndsWith(".key", StringComparison.Ordinal))
            {
                WriteSecret(path, Encoding.ASCII.GetBytes(pem));
            }
            else
            {
                File.WriteAllText(path, pem, Encoding.ASCII);
            }
        }
    }

    private static void Leaf(
        X509Certificate2 ca, string commonName, X509Extension? sans, string usage, DateTimeOffset now, int days, string prefix, Dictionary<string, string> files)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(Name(commonName), key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (sans is not null)
        {
            request.CertificateExtensions.Add(sans);
        }

        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        var notAfter = now.AddDays(days) < ca.NotAfter ? now.AddDays(days) : new DateTimeOffset(ca.NotAfter);
        using var certificate = request.Create(ca, now, notAfter, serial);
        files[prefix + ".crt"] = certificate.ExportCertificatePem() + "\n";
        files[prefix + ".key"] = key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    private static X500DistinguishedName Name(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        builder.AddOrganizationName("Mantle");
        return builder.Build();
    }

    /// <summary>The message for files that exist already: which ones, and what to do.</summary>
    public static string ExistsMessage(string directory, IEnumerable<string> existing) =>
        $"'{directory}' already holds {string.Join(", ", existing)}; choose an empty folder (certificates and keys are never overwritten).";

    /// <summary>Creates a private key file: never over an existing file, mode 0600 from the first byte on Unix.</summary>
    private static void WriteSecret(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
    }
}
