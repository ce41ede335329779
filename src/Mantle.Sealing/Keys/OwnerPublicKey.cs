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
    /// <exception cref="SealingException">
    /// The file cannot be read or is not an ECDSA P-384 public key, or it holds a private key
    /// (<see cref="SealingErrorCode.PrivateKeyGiven"/>).
    /// </exception>
    public static OwnerPublicKey Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new SealingException(SealingErrorCode.InvalidSigningKey, $"Cannot read the owner public key '{path}': {error.Message}", error);
        }

        // The file may be the private key given by mistake: keep its text out of immutable strings and clear it.
        var pem = new char[Encoding.ASCII.GetCharCount(bytes)];
        try
        {
            Encoding.ASCII.GetChars(bytes, pem);
            return FromPem(pem, path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
            Array.Clear(pem);
        }
    }

    /// <summary>Parses an SPKI PEM public key; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="SealingException">
    /// The text is not an ECDSA P-384 public key, or it holds a private key (<see cref="SealingErrorCode.PrivateKeyGiven"/>).
    /// </exception>
    public static OwnerPublicKey FromPem(string pem, string source = "owner public key")
    {
        ArgumentNullException.ThrowIfNull(pem);
        return FromPem(pem.AsSpan(), source);
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

    private static OwnerPublicKey FromPem(ReadOnlySpan<char> pem, string source)
    {
        if (HoldsPrivateKey(pem))
        {
            throw new SealingException(SealingErrorCode.PrivateKeyGiven,
                $"'{source}' holds a private signing key, but the owner's public key is wanted here: pass the '.pub' file that "
                + "'mantle keys signing create' writes beside the private key (FILE.pub for FILE). The private key must not leave the owner's machine.");
        }

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

    /// <summary>True when any PEM block is a private key (PKCS#8, SEC1, encrypted PKCS#8 or OpenSSH).</summary>
    private static bool HoldsPrivateKey(ReadOnlySpan<char> pem)
    {
        while (PemEncoding.TryFind(pem, out var fields))
        {
            if (pem[fields.Label].EndsWith("PRIVATE KEY", StringComparison.Ordinal))
            {
                return true;
            }

            pem = pem[fields.Location.End..];
        }

        return false;
    }

    /// <summary>The key as SPKI PEM.</summary>
    public string ExportPem() => Key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Releases the key.</summary>
    public void Dispose() => Key.Dispose();
}
