using System.Security.Cryptography;
using System.Text;
using Mantle.Sealing.Internal;

namespace Mantle.Sealing.Keys;

/// <summary>
/// The model owner's ECDSA P-384 public key, which manifests must be signed with. <see cref="Thumbprint"/> is its
/// RFC 7638 JWK thumbprint (SHA-256, base64url), used as the manifest's <c>kid</c>.
/// </summary>
public sealed class OwnerPublicKey : IDisposable
{
    private OwnerPublicKey(ECDsa key)
    {
        Key = key;
        Thumbprint = KeyThumbprint.Compute(key);
    }

    /// <summary>The RFC 7638 thumbprint of the key (43 base64url characters).</summary>
    public string Thumbprint { get; }

    /// <summary>The public key.</summary>
    internal ECDsa Key { get; }

    /// <summary>Reads a public key from an SPKI PEM file (<c>-----BEGIN PUBLIC KEY-----</c>), such as <c>owner.pem.pub</c>.</summary>
    /// <exception cref="SealingException">The file cannot be read or is not an ECDSA P-384 public key.</exception>
    public static OwnerPublicKey Load(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new SealingException(SealingErrorCode.InvalidSigningKey, $"Cannot read the owner public key '{path}': {error.Message}", error);
        }

        return FromPem(pem, path);
    }

    /// <summary>Parses an SPKI PEM public key; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="SealingException">The text is not an ECDSA P-384 public key.</exception>
    public static OwnerPublicKey FromPem(string pem, string source = "owner public key")
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception error) when (error is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new SealingException(SealingErrorCode.InvalidSigningKey,
                $"'{source}' is not a PEM ECDSA public key; pass the '.pub' file written by 'mantle keys signing create'.", error);
        }

        return FromKey(key, source);
    }

    /// <summary>Takes ownership of an ECDSA key's public part.</summary>
    internal static OwnerPublicKey FromKey(ECDsa key, string source)
    {
        if (key.KeySize != 384)
        {
            key.Dispose();
            throw new SealingException(SealingErrorCode.InvalidSigningKey,
                $"'{source}' is an ECDSA key of {key.KeySize} bits; Mantle owner keys are P-384 (ES384).");
        }

        var publicOnly = ECDsa.Create(key.ExportParameters(includePrivateParameters: false));
        key.Dispose();
        return new OwnerPublicKey(publicOnly);
    }

    /// <summary>The key as SPKI PEM.</summary>
    public string ExportPem() => Key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Releases the key.</summary>
    public void Dispose() => Key.Dispose();
}
