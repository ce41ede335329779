using System.Security.Cryptography;

namespace Mantle.KeyBroker;

/// <summary>
/// The broker master key from the environment variable <c>MANTLE_BROKER_MASTER_KEY</c> (base64 of 32 bytes)
/// or, when that is unset, from a file holding the same base64 text. Ciphertext layout: 12-byte random
/// nonce ‖ AES-256-GCM ciphertext ‖ 16-byte tag.
/// </summary>
public sealed class FileMasterKeyProvider : IMasterKeyProvider, IDisposable
{
    /// <summary>The environment variable that, when set, holds the master key and takes precedence over the file.</summary>
    public const string EnvironmentVariable = "MANTLE_BROKER_MASTER_KEY";

    private const int NonceSize = 12;
    private const int TagSize = 16;
    // AesGcm instances are not safe for concurrent use, so each operation makes its own from the pinned key.
    private readonly byte[] _key;

    /// <summary>Creates a provider from 32 key bytes.</summary>
    public FileMasterKeyProvider(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException($"The broker master key must be 32 bytes; got {key.Length}.", nameof(key));
        }

        _key = GC.AllocateArray<byte>(32, pinned: true);
        key.CopyTo(_key);
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key))[..16];
    }

    /// <inheritdoc />
    public string KeyId { get; }

    /// <summary>Loads the key from <see cref="EnvironmentVariable"/> if set, otherwise from <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">Neither source holds a valid key; the message names what to fix.</exception>
    public static FileMasterKeyProvider Load(string? path)
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        string text;
        string source;
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            text = fromEnv;
            source = $"environment variable {EnvironmentVariable}";
        }
        else if (path is not null && File.Exists(path))
        {
            text = File.ReadAllText(path);
            source = $"file {path}";
        }
        else
        {
            throw new InvalidOperationException(
                $"No broker master key: set {EnvironmentVariable} or create {path ?? "the master key file"} with 'mantle broker init'.");
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The broker master key in {source} is not base64 text.");
        }

        if (key.Length != 32)
        {
            throw new InvalidOperationException($"The broker master key in {source} must be 32 bytes (base64); it has {key.Length}.");
        }

        try
        {
            return new FileMasterKeyProvider(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <inheritdoc />
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), associatedData);
        return output;
    }

    /// <inheritdoc />
    public byte[] Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData)
    {
        if (ciphertext.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The stored resource ciphertext is truncated.");
        }

        var length = ciphertext.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(ciphertext[..NonceSize], ciphertext.Slice(NonceSize, length), ciphertext[^TagSize..], plaintext, associatedData);
        return plaintext;
    }

    /// <inheritdoc />
    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
