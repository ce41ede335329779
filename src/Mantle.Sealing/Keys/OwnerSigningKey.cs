using System.Security.Cryptography;
using System.Text;
using Mantle.Sealing.Internal;

namespace Mantle.Sealing.Keys;

/// <summary>
/// The model owner's ECDSA P-384 signing key, stored as PKCS#8 PEM (mode 0600) with its SPKI PEM public key beside it
/// in <c>FILE.pub</c>.
/// </summary>
public sealed class OwnerSigningKey : IDisposable
{
    private OwnerSigningKey(ECDsa key)
    {
        Key = key;
        PublicKey = OwnerPublicKey.FromKey(ECDsa.Create(key.ExportParameters(includePrivateParameters: false)), "signing key");
    }

    /// <summary>The public half, whose <see cref="OwnerPublicKey.Thumbprint"/> becomes the manifest's <c>kid</c>.</summary>
    public OwnerPublicKey PublicKey { get; }

    internal ECDsa Key { get; }

    /// <summary>Creates a fresh P-384 key pair.</summary>
    public static OwnerSigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP384));

    /// <summary>Reads a PKCS#8 (or SEC1) PEM private key file.</summary>
    /// <exception cref="SealingException">The file cannot be read or is not an ECDSA P-384 private key.</exception>
    public static OwnerSigningKey Load(string path)
    {
        char[] pem;
        try
        {
            pem = File.ReadAllText(path, Encoding.ASCII).ToCharArray();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new SealingException(SealingErrorCode.InvalidSigningKey, $"Cannot read the signing key '{path}': {error.Message}", error);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 384)
            {
                throw new SealingException(SealingErrorCode.InvalidSigningKey,
                    $"'{path}' is an ECDSA key of {key.KeySize} bits; Mantle signing keys are P-384 (ES384).");
            }

            // A public key imports without error; signing with it would fail much later.
            _ = key.ExportParameters(includePrivateParameters: true);
            return new OwnerSigningKey(key);
        }
        catch (Exception error) when (error is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new SealingException(SealingErrorCode.InvalidSigningKey,
                $"'{path}' is not a PEM ECDSA private key; create one with 'mantle keys signing create --out FILE'.", error);
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            Array.Clear(pem);
        }
    }

    /// <summary>Writes the private key to <paramref name="path"/> (PKCS#8 PEM, mode 0600) and the public key to <c>path.pub</c>.</summary>
    /// <exception cref="SealingException">Either file exists already (<see cref="SealingErrorCode.OutputExists"/>).</exception>
    public void Save(string path)
    {
        var publicPath = path + ".pub";
        if (File.Exists(publicPath))
        {
            throw new SealingException(SealingErrorCode.OutputExists, $"'{publicPath}' exists already; choose another path or delete it first.");
        }

        var pem = Key.ExportPkcs8PrivateKeyPem().ToCharArray();
        var bytes = new byte[Encoding.ASCII.GetByteCount(pem)];
        try
        {
            Encoding.ASCII.GetBytes(pem, bytes);
            SecretFile.WriteNew(path, bytes);
        }
        finally
        {
            Array.Clear(pem);
            CryptographicOperations.ZeroMemory(bytes);
        }

        File.WriteAllText(publicPath, PublicKey.ExportPem() + "\n", Encoding.ASCII);
    }

    /// <summary>Releases the key.</summary>
    public void Dispose()
    {
        PublicKey.Dispose();
        Key.Dispose();
    }
}
