namespace Mantle.KeyBroker;

/// <summary>
/// Protects resource bytes at rest. The default implementation, <see cref="FileMasterKeyProvider"/>,
/// holds a 256-bit key in memory and uses AES-256-GCM; an implementation backed by a PKCS#11 HSM would
/// keep the key inside the HSM and call it for both operations.
/// </summary>
public interface IMasterKeyProvider
{
    /// <summary>A short, non-secret identifier of the master key (stored next to each ciphertext).</summary>
    string KeyId { get; }

    /// <summary>Encrypts <paramref name="plaintext"/> bound to <paramref name="associatedData"/> (the resource path and version).</summary>
    byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData);

    /// <summary>Decrypts what <see cref="Encrypt"/> produced with the same associated data.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The ciphertext was altered, moved to another path or version, or made under another master key.</exception>
    byte[] Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData);
}
