using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mantle.Attestation;
using Mantle.Attestation.RaTls;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Tls;

/// <summary>Makes the server certificate of the <c>static</c> and <c>ra-tls</c> TLS modes.</summary>
public static class ServerCertificates
{
    /// <summary>
    /// Loads a certificate (PEM) and its private key (PEM). The key may be a sealed folder made by
    /// <c>mantle seal --in server.key</c>: it is verified against <paramref name="ownerKey"/>, unsealed in memory with the
    /// model key from <paramref name="keys"/> (key files or the key broker) and never written anywhere.
    /// </summary>
    /// <exception cref="InvalidOperationException">A file is missing or not PEM, the folder is sealed but no owner key or key source is given, or the key does not belong to the certificate; the message names the file and the fix.</exception>
    /// <exception cref="SealingException">The sealed key folder was refused (signature, tampering, wrong key).</exception>
    public static async Task<X509Certificate2> LoadStaticAsync(
        string certificatePath, string keyPath, OwnerPublicKey? ownerKey, IModelKeyResolver? keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificatePath);
        ArgumentNullException.ThrowIfNull(keyPath);
        string certificatePem;
        try
        {
            certificatePem = await File.ReadAllTextAsync(certificatePath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot read the server certificate --tls-cert {certificatePath}: {ex.Message}", ex);
        }

        var keyPem = SealedModel.IsSealedFolder(keyPath)
            ? await UnsealKeyAsync(keyPath, ownerKey, keys, cancellationToken).ConfigureAwait(false)
            : await ReadKeyFileAsync(keyPath, cancellationToken).ConfigureAwait(false);
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            // A certificate whose key lives only in this object cannot always be used by the TLS stack: re-import it.
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(
                $"The server certificate {certificatePath} and the key {keyPath} do not form a pair (or are not PEM): {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Starts a self-signed RA-TLS certificate for a key made in this process, carrying evidence from
    /// <paramref name="evidence"/> bound to that key, and made again at two thirds of <paramref name="lifetime"/>, so
    /// that a client always sees evidence younger than the lifetime.
    /// </summary>
    /// <exception cref="AttestationException">The TEE gave no evidence.</exception>
    public static Task<RenewingCertificateSource> StartRaTlsAsync(
        IEvidenceProvider evidence, IReadOnlyList<string> dnsNames, TimeSpan lifetime, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(dnsNames);
        return RenewingCertificateSource.StartAsync("ra-tls", async ct =>
        {
            var options = new RaTlsCertificateOptions { SubjectName = "CN=" + (dnsNames.Count > 0 ? dnsNames[0] : "mantle-ratls"), Lifetime = lifetime };
            foreach (var name in dnsNames)
            {
                options.DnsNames.Add(name);
            }

            using var certificate = await RaTlsCertificate.CreateAsync(evidence, options, ct).ConfigureAwait(false);
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }, logger: logger, cancellationToken: cancellationToken);
    }

    private static async Task<string> ReadKeyFileAsync(string keyPath, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(keyPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot read the server key --tls-key {keyPath}: {ex.Message}", ex);
        }
    }

    private static async Task<string> UnsealKeyAsync(string folder, OwnerPublicKey? ownerKey, IModelKeyResolver? keys, CancellationToken cancellationToken)
    {
        if (ownerKey is null || keys is null)
        {
            throw new InvalidOperationException(
                $"--tls-key {folder} is a sealed folder: pass --owner-key (to verify it) and --broker or --key-file (for its key).");
        }

        using var unsealed = await new SealedModelReader(ownerKey, keys).ReadAsync(folder, cancellationToken).ConfigureAwait(false);
        if (unsealed.Files.Count != 1)
        {
            throw new InvalidOperationException(
                $"The sealed key folder {folder} holds {unsealed.Files.Count} files; seal the server's private key file alone ('mantle seal --in server.key').");
        }

        return Encoding.ASCII.GetString(unsealed.Files[0].Content);
    }
}
